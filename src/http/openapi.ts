// OpenAPI 3.1 generated from the route schemas, and Swagger UI at /docs with bearer auth usable
// from the page ("Authorize" takes an access token, an API key or a service token). People paste
// tokens into that page, so it is locked down (issue 9 item 22): a Content-Security-Policy that
// runs only the UI's own scripts (no inline script, no eval), no framing (clickjacking), no MIME
// sniffing, no Referer, and the token is kept in memory only — not persisted to localStorage.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { contentSecurityPolicy } from './content-security-policy.js';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Tollgate',
        version: '0.1.0',
        description: 'Accounts, API keys, credits and rate limits in front of OpenAI-compatible and HTTP upstreams.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'User access token, API key or service token.' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key (data plane).' },
        },
      },
      tags: [
        { name: 'auth', description: 'Sign-in and personal API keys' },
        { name: 'automation', description: 'Session automation settings' },
        { name: 'ops', description: 'Health and readiness' },
        { name: 'accounts', description: 'Team accounts, members and service tokens' },
        { name: 'admin', description: 'The org admin plane: service token, or access token with X-Account-Id' },
        { name: 'operator', description: 'Server-wide operator controls' },
      ],
    },
  });
  app.get('/openapi.json', { schema: { hide: true }, config: { plane: 'ops' } }, async () => app.swagger());
  await app.register(async function docsPage(scope) {
    scope.addHook('onRequest', async function docsSecurityHeaders(_request, reply) {
      reply.headers(DOCS_HEADERS);
    });
    await scope.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: false } });
  });
}

// Swagger UI sets element styles from script, hence 'unsafe-inline' for styles only.
const DOCS_CSP = contentSecurityPolicy({ font: "'self' data:", style: "'self' 'unsafe-inline'" });

const DOCS_HEADERS = {
  'content-security-policy': DOCS_CSP,
  // For browsers that predate frame-ancestors (RFC 7034).
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
