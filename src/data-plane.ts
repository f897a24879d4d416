// The data plane's HTTP surface: metrics first (its hook counts every later route), CORS, then the
// OpenAI-compatible endpoints, the verify and forward-auth endpoints, and last the catch-all that
// serves configured plain HTTP routes (and the 404 for any path nothing else matched). This is
// where the service bag is taken apart: every pipeline module gets only what it uses.
import type { FastifyInstance } from 'fastify';
import { keyVerifier } from './http/authenticate.js';
import { requireServiceTokenOrOperator } from './http/authenticate-admin.js';
import { registerMetricsRoutes } from './http/metrics-routes.js';
import type { Services } from './services.js';
import { sessionForRequest } from './sessions/session-target.js';
import { forwardWithFailover } from './upstream/forward-upstream.js';
import type { PipelineDeps } from './gateway/data-plane-pipeline.js';
import { registerDataPlaneCors } from './gateway/data-plane-cors.js';
import { registerHttpRoutes } from './gateway/http-route-proxy.js';
import { registerOpenAiRoutes } from './gateway/openai-routes.js';
import { registerVerifyRoutes } from './gateway/verify-routes.js';

export function registerGatewayRoutes(app: FastifyInstance, services: Services): void {
  const { gateway } = services;
  const configuredRoutePaths = services.config.file.routes.map((route) => route.path);
  const pipeline: PipelineDeps = {
    verifier: keyVerifier(services),
    noteUse: (keyId, at) => gateway.lastUsed.note(keyId, at),
    admission: services.admission,
    recordUsage: (record) => gateway.usage.record(record),
    trackSettlement: (settling) => gateway.usage.track(settling),
    logger: services.logger,
    tracing: services.tracing,
  };
  const catalogFor = (accountId: string) => gateway.catalog.forAccount(accountId);

  registerMetricsRoutes(app, services);
  registerDataPlaneCors(app, configuredRoutePaths);
  registerOpenAiRoutes(app, pipeline, {
    catalogFor,
    prices: services.credits.prices,
    sessionFor: (key, resolution, now) => sessionForRequest(services, key, resolution, now),
    moveSession: (session, target) => gateway.sessions.move(session, target),
    forward: (targets, providers, build, log) => forwardWithFailover(services, targets, providers, build, log),
  });
  registerVerifyRoutes(app, pipeline, {
    caller: (request) => requireServiceTokenOrOperator(services, request),
    balance: (accountId) => services.credits.ledger.balance(accountId),
  });
  registerHttpRoutes(app, pipeline, {
    configuredRoutePaths,
    catalogFor,
    upstream: gateway.upstream,
    observeUpstream: (provider, outcome, seconds) => gateway.metrics.observeUpstream(provider, outcome, seconds),
  });
}
