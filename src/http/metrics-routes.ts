// GET /metrics (Prometheus text format), for the metrics token or loopback clients only
// (http/metrics-access.ts), and the hook that counts every HTTP request by method, route template
// and status, with its duration to the end of the response (streams included).
import type { FastifyInstance } from 'fastify';
import type { Counter, Histogram, Registry } from 'prom-client';
import type { Config } from '../config.js';
import { assertMetricsAccess } from './metrics-access.js';

/** The registry to serve, the two HTTP metrics this hook feeds, and the token that may read them. */
export interface MetricsRouteDeps {
  config: Pick<Config, 'metricsToken'>;
  gateway: { metrics: { registry: Registry; httpRequests: Counter<'method' | 'route' | 'status'>; httpDuration: Histogram<'method' | 'route'> } };
}

export function registerMetricsRoutes(app: FastifyInstance, services: MetricsRouteDeps): void {
  const { metrics } = services.gateway;
  app.addHook('onResponse', async function countRequest(request, reply) {
    // The template, never the raw URL: label values must stay few.
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  const token = services.config.metricsToken;
  app.get('/metrics', { schema: { hide: true }, config: { plane: 'ops' } }, async function serveMetrics(request, reply) {
    assertMetricsAccess(request, token);
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}
