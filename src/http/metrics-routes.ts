// GET /metrics (Prometheus text format), for the metrics token or loopback clients only
// (http/metrics-access.ts), and the hook that counts every HTTP request by method, route template
// and status, with its duration to the end of the response (streams included).
import type { FastifyInstance } from 'fastify';
import { assertMetricsAccess } from './metrics-access.js';
import type { Services } from '../services.js';

export function registerMetricsRoutes(app: FastifyInstance, services: Services): void {
  const { metrics } = services.gateway;
  app.addHook('onResponse', async function countRequest(request, reply) {
    // The template, never the raw URL: label values must stay few.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route };
    metrics.httpRequests.inc({ ...labels, status: String(reply.statusCode) });
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });
  const token = services.config.metricsToken;
  app.get('/metrics', { schema: { hide: true }, config: { plane: 'ops' } }, async function serveMetrics(request, reply) {
    assertMetricsAccess(request, token);
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}
