// Builds the Fastify application from the services: HTTP conventions (request ids, error
// envelopes, body limits, OpenAPI) and every route plane. No I/O happens here beyond wiring.
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { registerAdminAuditRoutes } from './admin/audit.js';
import { registerAdminKeyRoutes } from './admin/keys.js';
import { registerAdminWebhookRoutes } from './admin/webhooks.js';
import { registerWebhookRoutes } from './control/webhooks.js';
import { registerAccountRoutes } from './control/accounts.js';
import { registerAccountBudgetRoutes } from './control/account-budget.js';
import { registerOperatorBudgetRoutes } from './operator/account-budget.js';
import { registerMemberRoutes } from './control/members.js';
import { registerAccountInvitationRoutes } from './control/account-invitations.js';
import { registerMyInvitationRoutes } from './control/my-invitations.js';
import { registerServiceTokenRoutes } from './control/service-tokens.js';
import { registerOperatorDirectoryRoutes } from './operator/directory.js';
import { registerOperatorUserRoutes } from './operator/users.js';
import { registerOperatorCreditRoutes } from './operator/credits.js';
import { registerOperatorLimitRoutes } from './operator/limits.js';
import { registerOperatorPriceRoutes } from './operator/prices.js';
import { registerBalanceRoutes } from './control/balance.js';
import { registerStripeWebhookRoutes } from './control/stripe-webhook.js';
import { registerTopUpRoutes } from './control/top-ups.js';
import { registerAuthRoutes } from './control/auth.js';
import { registerSsoRoutes } from './control/sso.js';
import { registerAutomationRoutes } from './control/automation.js';
import { registerKeyRoutes } from './control/keys.js';
import { registerGatewayRoutes } from './data-plane.js';
import { registerAdminAliasRoutes } from './admin/aliases.js';
import { registerAdminProviderRoutes } from './admin/providers.js';
import { registerAdminRouteRoutes } from './admin/routes.js';
import { registerSessionRoutes } from './control/sessions.js';
import { registerSecretScanningRoutes } from './control/secret-scanning.js';
import { registerUsageRoutes } from './control/usage.js';
import { registerOperatorUpstreamRoutes } from './operator/providers.js';
import { ApiError } from './core/errors.js';
import { installErrorHandling, sendError } from './http/error-handler.js';
import { registerConsole } from './http/console-static.js';
import { registerHealthRoutes } from './http/health.js';
import { registerOpenApi } from './http/openapi.js';
import { clientRequestIdOf, newRequestId } from './http/request-id.js';
import { lazyRequestLogger } from './http/request-logger.js';
import { clientErrorHandler } from './http/client-errors.js';
import { installStrictValidation } from './http/strict-bodies.js';
import { installJsonBodyParser } from './http/json-body.js';
import type { Services } from './services.js';

export type App = FastifyInstance;

/**
 * Fastify's `trustProxy`: CIDR lists as they are; a hop count as a function, because Fastify
 * reads a bare number as "trust nobody" (proxy-addr calls it with the hop index, socket peer = 0).
 */
function trustProxyOption(trust: Services['config']['trustProxy']): string[] | ((address: string, hop: number) => boolean) | false {
  if (trust === undefined) return false;
  if (typeof trust !== 'number') return [...trust];
  const hops = trust;
  return function trustedHop(_address: string, hop: number) {
    return hop < hops;
  };
}

export async function buildApp(services: Services): Promise<App> {
  const app: FastifyInstance = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    genReqId: newRequestId,
    childLoggerFactory: lazyRequestLogger,
    clientErrorHandler: clientErrorHandler(services.logger as FastifyBaseLogger),
    // A URL Fastify cannot decode (broken percent-encoding, bad UTF-8) never reaches a route: it
    // is refused here, in Tollgate's envelope like every other error.
    frameworkErrors: function refuseUndecodableUrl(_error, request, reply) {
      // Route hooks (and so the X-Request-Id hook) do not run for a request no route received.
      reply.header('x-request-id', request.id);
      sendError(request, reply, new ApiError('invalid_request', { message: 'The request path is not valid percent-encoded UTF-8.' }));
    },
    // Node's requestTimeout covers receiving the request (headers and body) only, so streamed
    // answers are never cut by it; headers have a shorter bound of their own (slowloris).
    requestTimeout: services.config.requestTimeoutMs,
    http: {
      headersTimeout: Math.min(services.config.requestTimeoutMs, 15_000),
      // How often Node looks for requests past those bounds.
      connectionsCheckingInterval: Math.min(1_000, Math.max(25, services.config.requestTimeoutMs / 4)),
    },
    bodyLimit: services.config.bodyLimitBytes,
    // request.ip is the client only as far as TOLLGATE_TRUST_PROXY says (SPEC §7); never trust all.
    trustProxy: trustProxyOption(services.config.trustProxy),
    // Let a shutdown finish in-flight requests while idle keep-alive sockets close at once.
    forceCloseConnections: 'idle',
    // One line per request (below) instead of Fastify's two: logging was ~7% of the data plane's CPU.
    logController: new LogController({ disableRequestLogging: true }),
  });

  app.addHook('onSend', async function addRequestId(request, reply) {
    reply.header('x-request-id', clientRequestIdOf(request) ?? request.id);
  });
  // The request line's fields are flat (method, path, status, time, the caller's request id): no
  // redaction path (src/logger.ts) can match one, and running the redaction anyway cloned each line,
  // 11% of the data plane's allocations. So it is written by a child without redaction, with the
  // request's id as Fastify's request logger binds it.
  const requestLines = services.logger.child({}, { redact: { paths: [], censor: '[redacted]' } });
  app.addHook('onResponse', async function logRequest(request, reply) {
    // The path only: a query string is the caller's business and may carry anything.
    const clientRequestId = clientRequestIdOf(request);
    requestLines.info(
      { reqId: request.id, method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, ...(clientRequestId ? { clientRequestId } : {}) },
      'request completed',
    );
  });
  // Cookies matter only on /api/v1/auth (the console's refresh token: src/http/refresh-cookie.ts),
  // which parses them itself: no per-request hook on the data plane.
  await app.register(fastifyCookie, { hook: false });
  installErrorHandling(app);
  installStrictValidation(app);
  installJsonBodyParser(app);
  await registerOpenApi(app);

  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerSsoRoutes(app, services);
  registerKeyRoutes(app, services);
  registerAutomationRoutes(app, services);
  registerAccountRoutes(app, services);
  registerAccountBudgetRoutes(app, services);
  registerMemberRoutes(app, services);
  registerAccountInvitationRoutes(app, services);
  registerMyInvitationRoutes(app, services);
  registerServiceTokenRoutes(app, services);
  registerAdminKeyRoutes(app, services);
  registerAdminAuditRoutes(app, services);
  registerOperatorDirectoryRoutes(app, services);
  registerOperatorBudgetRoutes(app, services);
  registerOperatorUserRoutes(app, services);
  registerBalanceRoutes(app, services);
  registerTopUpRoutes(app, services);
  registerStripeWebhookRoutes(app, services);
  registerOperatorCreditRoutes(app, services);
  registerOperatorLimitRoutes(app, services);
  registerOperatorPriceRoutes(app, services);
  registerSessionRoutes(app, services);
  registerUsageRoutes(app, services);
  registerAdminProviderRoutes(app, services);
  registerAdminAliasRoutes(app, services);
  registerAdminRouteRoutes(app, services);
  registerOperatorUpstreamRoutes(app, services);
  registerSecretScanningRoutes(app, services);
  registerAdminWebhookRoutes(app, services);
  registerWebhookRoutes(app, services);
  registerConsole(app);
  // The data plane last: it ends with the catch-all for configured plain HTTP routes.
  registerGatewayRoutes(app, services);
  return app;
}
