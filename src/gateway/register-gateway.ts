// The data plane's HTTP surface: metrics first (its hook counts every later route), CORS, then the
// OpenAI-compatible endpoints, the verify and forward-auth endpoints, and last the catch-all that
// serves configured plain HTTP routes (and the 404 for any path nothing else matched).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { registerDataPlaneCors } from './data-plane-cors.js';
import { registerHttpRoutes } from './http-route-proxy.js';
import { registerMetricsRoutes } from '../http/metrics-routes.js';
import { registerOpenAiRoutes } from './openai-routes.js';
import { registerVerifyRoutes } from './verify-routes.js';

export function registerGatewayRoutes(app: FastifyInstance, services: Services): void {
  registerMetricsRoutes(app, services);
  registerDataPlaneCors(app, services.config.file.routes.map((route) => route.path));
  registerOpenAiRoutes(app, services);
  registerVerifyRoutes(app, services);
  registerHttpRoutes(app, services);
}
