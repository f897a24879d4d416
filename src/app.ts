// Builds the Fastify application from the services: HTTP conventions (request ids, error
// envelopes, body limits, OpenAPI) and every route plane. No I/O happens here beyond wiring.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { registerAuthRoutes } from './control/auth.js';
import { registerAutomationRoutes } from './control/automation.js';
import { registerKeyRoutes } from './control/keys.js';
import { installErrorHandling } from './http/error-handler.js';
import { registerHealthRoutes } from './http/health.js';
import { registerOpenApi } from './http/openapi.js';
import { requestIdFor } from './http/request-id.js';
import type { Services } from './services.js';

export type App = FastifyInstance;

export async function buildApp(services: Services): Promise<App> {
  const app: FastifyInstance = Fastify({
    loggerInstance: services.logger as FastifyBaseLogger,
    genReqId: requestIdFor,
    bodyLimit: services.config.bodyLimitBytes,
    // Let a shutdown finish in-flight requests while idle keep-alive sockets close at once.
    forceCloseConnections: 'idle',
    ajv: { customOptions: { allErrors: true, removeAdditional: true, coerceTypes: 'array', useDefaults: true } },
  });

  app.addHook('onSend', async function addRequestId(request, reply) {
    reply.header('x-request-id', request.id);
  });
  installErrorHandling(app);
  await registerOpenApi(app);

  registerHealthRoutes(app, services);
  registerAuthRoutes(app, services);
  registerKeyRoutes(app, services);
  registerAutomationRoutes(app, services);
  return app;
}
