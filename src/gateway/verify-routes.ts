// For services that keep their own proxy (SPEC §4): POST /api/v1/keys/verify answers whether a key
// may make a request — a refused key is a 200 with `valid: false` and a code, Unkey style; only a
// caller that may not ask gets an error. GET /api/v1/forward-auth does the same for nginx
// `auth_request`, Traefik ForwardAuth and Envoy ext_authz: 200 with X-Tollgate-* identity headers,
// or the refusal's status. Both run the data plane's own pipeline (cache, origin, client address,
// scope, limits, credits), so a verified request is counted and charged exactly like a proxied one.
// The client address a key's allowed_ips is checked against: for verify, the `ip` the calling
// service reports (its own address says nothing about its client; without `ip` such a key is
// refused, never waved through); for forward-auth, request.ip — the X-Forwarded-For client set by
// the proxy in front, believed only when TOLLGATE_TRUST_PROXY trusts that proxy. A key's metadata
// comes back as `metadata` from verify and as X-Tollgate-Key-Meta-<name> headers from forward-auth.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../core/errors.js';
import { metadataHeaders } from '../core/metadata-pairs.js';
import { invalidField } from '../core/validation-error.js';
import { presentedCredential } from '../http/authenticate.js';
import { verifyKey } from '../keys/verify-key.js';
import type { RateLimitState } from '../limits/admission.js';
import type { CreditBalance } from '../storage/credits.js';
import type { CheckedKey } from '../storage/api-keys.js';
import { refusalError, requestOrigin } from './authenticate-key.js';
import { DataPlaneCall } from './data-plane-call.js';
import type { PipelineDeps } from './data-plane-pipeline.js';
import { goDuration, rateLimitHeaders, tightest } from './rate-limit-headers.js';

const VerifyBody = Type.Object({
  key: Type.String({ maxLength: 256 }),
  origin: Type.Optional(Type.String({ maxLength: 2048 })),
  ip: Type.Optional(Type.String({ maxLength: 64, description: "The client's address as the calling service saw it; required for keys with allowed_ips." })),
  scope: Type.Optional(Type.String({ maxLength: 64 })),
  cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
});

const ForwardAuthQuery = Type.Object({
  scope: Type.Optional(Type.String({ maxLength: 64 })),
  cost: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000_000 })),
});

type Verdict =
  | { valid: true; key: CheckedKey; rateLimit: RateLimitState | null; charged: number }
  | { valid: false; error: ApiError; key: CheckedKey | null; rateLimit: RateLimitState | null };

/**
 * The shared verdict: key pipeline → scope → limits and credits. Nothing follows a verification,
 * so it is settled at once: its answer reports the credits charged.
 */
async function verdictFor(deps: PipelineDeps, requestId: string, input: { credential: string | undefined; origin: string | undefined; clientIp: string | undefined; scope?: string | undefined; cost?: number | undefined; accountId: string | null }): Promise<Verdict> {
  const now = new Date();
  const check = await verifyKey(deps.verifier, { credential: input.credential, origin: input.origin, clientIp: input.clientIp }, now);
  if (!check.ok) return { valid: false, error: refusalError(check), key: null, rateLimit: null };
  // A service token sees its own account's keys only; any other key is simply not valid.
  if (input.accountId !== null && check.key.accountId !== input.accountId) return { valid: false, error: new ApiError('invalid_api_key'), key: null, rateLimit: null };
  const key = check.key;
  deps.noteUse(key.id, now.toISOString());
  const call = new DataPlaneCall(deps, requestId, key, { model: null, route: 'verify' });
  if (input.scope !== undefined && !key.scopes.includes(input.scope)) {
    const error = new ApiError('forbidden', { message: `This key lacks the scope ${JSON.stringify(input.scope)}.` });
    await call.finish({ status: 403, outcome: 'failed' });
    return { valid: false, error, key, rateLimit: null };
  }
  try {
    const decision = await call.decide({ price: { kind: 'route', routeId: 'verify', cost: input.cost ?? 0 }, estimatedInputTokens: 0, maxOutputTokens: 0 });
    if (!decision.ok) {
      await call.finish({ status: decision.error.status, outcome: 'failed' });
      return { valid: false, error: decision.error, key, rateLimit: decision.rateLimit };
    }
    call.end({ status: 200, outcome: 'ok', usage: { inputTokens: 0, outputTokens: 0 } });
    const charged = await call.finish({ status: 200, outcome: 'ok' });
    return { valid: true, key, rateLimit: decision.rateLimit, charged };
  } catch (error) {
    await call.finish({ status: error instanceof ApiError ? error.status : 500, outcome: 'failed' });
    throw error;
  }
}

/** The requests-per-minute rule closest to its limit, as verify reports it (reset as OpenAI writes it). */
function rateLimitOf(state: RateLimitState | null) {
  const requests = state && tightest(state.outcomes, 'requests');
  if (!requests) return null;
  return { limit: requests.rule.limit, remaining: requests.remaining, reset: goDuration(requests.resetMs) };
}

export interface VerifyDeps {
  /** Who may ask (a service token: its own account's keys only; an operator: any key), or throws 401/403. */
  caller(request: FastifyRequest): Promise<{ accountId: string | null }>;
  balance(accountId: string): Promise<CreditBalance>;
}

export function registerVerifyRoutes(app: FastifyInstance, pipeline: PipelineDeps, deps: VerifyDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['data'];

  r.post('/api/v1/keys/verify', { schema: { tags, security: [{ bearer: [] }], body: VerifyBody, summary: 'Verify an API key (service token or operator)' }, config: { plane: 'data' } }, async function verifyApiKey(request) {
    const caller = await deps.caller(request);
    const ip = request.body.ip;
    if (ip !== undefined && (isIP(ip) === 0 || ip.includes('%'))) throw invalidField('ip', 'must be an IPv4 or IPv6 address');
    const verdict = await verdictFor(pipeline, request.id, { credential: request.body.key, origin: request.body.origin, clientIp: ip, scope: request.body.scope, cost: request.body.cost, accountId: caller.accountId });
    const key = verdict.key;
    const balance = key ? await deps.balance(key.accountId) : null;
    return {
      valid: verdict.valid,
      code: verdict.valid ? 'valid' : verdict.error.code,
      ...(verdict.valid ? {} : { message: verdict.error.message }),
      key_id: key?.id ?? null,
      account_id: key?.accountId ?? null,
      scopes: key?.scopes ?? [],
      expires_at: key?.expiresAt ?? null,
      metadata: key?.metadata ?? {},
      ratelimit: rateLimitOf(verdict.rateLimit),
      credits: balance ? { charged: verdict.valid ? verdict.charged : 0, balance: balance.balance, reserved: balance.reserved } : null,
    };
  });

  r.get('/api/v1/forward-auth', { schema: { tags, security: [{ bearer: [] }, { apiKey: [] }], querystring: ForwardAuthQuery, summary: 'Forward authentication (nginx auth_request, Traefik, Envoy)' }, config: { plane: 'data' } }, async function forwardAuth(request, reply) {
    const verdict = await verdictFor(pipeline, request.id, { credential: presentedCredential(request), origin: requestOrigin(request), clientIp: request.ip, scope: scopeOf(request, request.query.scope), cost: request.query.cost, accountId: null });
    reply.headers(rateLimitHeaders(verdict.rateLimit));
    if (!verdict.valid) throw verdict.error;
    return identity(reply, verdict.key).send({ valid: true, key_id: verdict.key.id, account_id: verdict.key.accountId });
  });
}

/** ?scope= on the auth URL, or X-Tollgate-Scope set by the proxy. */
function scopeOf(request: FastifyRequest, fromQuery: string | undefined): string | undefined {
  const header = request.headers['x-tollgate-scope'];
  return fromQuery ?? (typeof header === 'string' && header.length > 0 ? header : undefined);
}

function identity(reply: FastifyReply, key: CheckedKey): FastifyReply {
  return reply
    .header('x-tollgate-account-id', key.accountId)
    .header('x-tollgate-key-id', key.id)
    .header('x-tollgate-scopes', key.scopes.join(','))
    .header('x-tollgate-environment', key.environment)
    .headers(metadataHeaders(key.metadata));
}
