// Prometheus metrics of the gateway, on a registry of their own (built per Services, so several
// nodes in one test process never clash on the global default registry). Labels are bounded:
// route templates, never raw URLs; server-wide providers by name, account-owned ones as one
// `account` value (their names are the accounts' business, and unbounded); never URLs or secrets.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Owner } from '../core/model-targets.js';
import { droppedLogLines } from '../logger.js';

/** The `provider` label: operators' providers by name, every account-owned one as `account`. */
export function providerLabel(provider: { name: string; owner: Owner }): string {
  return provider.owner === 'server' ? provider.name : 'account';
}

export class GatewayMetrics {
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly keyCacheLookups: Counter<'result'>;
  readonly upstreamDuration: Histogram<'provider' | 'outcome'>;
  readonly usageDropped: Counter;
  readonly keyBusHealthy: Gauge;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.httpRequests = new Counter({ name: 'tollgate_http_requests_total', help: 'HTTP requests by method, route template and status.', labelNames: ['method', 'route', 'status'], registers });
    this.httpDuration = new Histogram({
      name: 'tollgate_http_request_duration_seconds',
      help: 'Time to the end of the response (streams included).',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.keyCacheLookups = new Counter({ name: 'tollgate_key_cache_lookups_total', help: 'Data-plane key lookups answered by the cache (hit) or storage (miss).', labelNames: ['result'], registers });
    this.upstreamDuration = new Histogram({
      name: 'tollgate_upstream_duration_seconds',
      help: 'Upstream time to response headers, by provider and outcome.',
      labelNames: ['provider', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    });
    this.usageDropped = new Counter({ name: 'tollgate_usage_records_dropped_total', help: 'Usage records that could not be written.', registers });
    new Counter({
      name: 'tollgate_log_lines_dropped_total',
      help: 'Log lines dropped because standard output was gone or too slow to take them.',
      registers,
      collect() {
        this.reset();
        this.inc(droppedLogLines());
      },
    });
    this.keyBusHealthy = new Gauge({ name: 'tollgate_key_bus_healthy', help: '1 when the Redis key-change bus is subscribed and hearing its heartbeat.', registers });
  }

  /** Upstream time to response headers, under a bounded provider label. */
  observeUpstream(provider: { name: string; owner: Owner }, outcome: string, seconds: number): void {
    this.upstreamDuration.observe({ provider: providerLabel(provider), outcome }, seconds);
  }

  static withDefaults(): GatewayMetrics {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'tollgate_' });
    return new GatewayMetrics(registry);
  }
}
