// POST /api/v1/secret-scanning/github: GitHub's secret scanning partner reports (SPEC §10). GitHub
// signs the raw body with ECDSA P-256, so this route alone reads its body as bytes (a scoped
// parser): the signature is checked over exactly what arrived, before the JSON is parsed or
// validated, and a report that fails it revokes nothing. Not configured (no public keys): 404 with
// its own code, before the body is read. The tokens are never logged: the request line logs the
// path only, and a JSON error never echoes the body.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { jsonNestsDeeperThan } from '../core/json-depth.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type SecretScanningRouteDeps = Pick<Services, 'secretScanning'>;

/** GitHub batches matches; a real report is a few KB. */
export const MAX_REPORT_BYTES = 1_048_576;
export const MAX_REPORT_ITEMS = 1000;

const tags = ['secret-scanning'];

const ReportBody = Type.Array(
  Type.Object(
    {
      token: Type.String({ maxLength: 4096, description: 'The matched secret.' }),
      type: Type.String({ maxLength: 256, description: 'The secret type registered with GitHub; echoed as token_type.' }),
      url: Type.Optional(Type.String({ maxLength: 8192, description: 'Where GitHub found it.' })),
      source: Type.Optional(Type.String({ maxLength: 256, description: 'content, commit, pull_request_description, …' })),
    },
    { additionalProperties: false },
  ),
  { maxItems: MAX_REPORT_ITEMS },
);

const VerdictList = Type.Array(
  Type.Object({
    token_hash: Type.String({ description: 'Hex SHA-256 of the token.' }),
    token_type: Type.String(),
    label: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive')]),
  }),
);

const badJson = () => new ApiError('invalid_request', { message: 'The request body is not valid JSON.' });

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function registerSecretScanningRoutes(app: FastifyInstance, services: SecretScanningRouteDeps): void {
  const { verifier, intake } = services.secretScanning;

  app.register(async function secretScanningScope(scope) {
    // Bytes in, as sent: the signature covers them, not a re-serialisation of parsed JSON.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_REPORT_BYTES }, function keepRawBody(_request, body, done) {
      done(null, body);
    });
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();

    r.post(
      '/api/v1/secret-scanning/github',
      {
        bodyLimit: MAX_REPORT_BYTES,
        config: { plane: 'control' },
        schema: {
          tags,
          summary: "GitHub secret scanning partner report (signed with GitHub's ECDSA P-256 key)",
          description: 'Headers Github-Public-Key-Identifier and Github-Public-Key-Signature (base64 DER) sign the raw body.',
          body: ReportBody,
          response: { 200: VerdictList },
        },
        onRequest: async function requireConfigured() {
          if (!verifier) throw new ApiError('secret_scanning_not_configured');
        },
        // Runs before body validation: an unsigned caller learns nothing about the body's shape.
        preValidation: async function verifyGithubSignature(request) {
          const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const check = verifier!.check(header(request, 'github-public-key-identifier'), header(request, 'github-public-key-signature'), raw);
          if (check !== 'valid') {
            request.log.warn({ check }, 'secret scanning report refused: signature');
            throw new ApiError('invalid_signature');
          }
          const text = raw.toString('utf8');
          if (jsonNestsDeeperThan(text)) throw badJson();
          try {
            request.body = JSON.parse(text) as typeof request.body;
          } catch {
            // Never the parser's message: it quotes the body, and the body holds the tokens.
            throw badJson();
          }
        },
      },
      async function receiveGithubReport(request) {
        return intake.report(request.body, { requestId: request.id });
      },
    );
  });
}
