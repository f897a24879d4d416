// Prometheus gauges for the limiter, read at scrape time: whether this node is limiting alone
// because Redis is unreachable (the switch must be visible, SPEC §6 / issue #5), and how often.
import { Gauge, type Registry } from 'prom-client';
import type { LimiterStatus } from './fallback-limiter-store.js';

export function registerLimiterMetrics(registry: Registry, status: () => LimiterStatus): void {
  new Gauge({
    name: 'tollgate_rate_limit_fallback',
    help: '1 while this node enforces its own share of each rate limit because Redis is unreachable, else 0.',
    registers: [registry],
    collect() {
      this.set(status().fallback ? 1 : 0);
    },
  });
  new Gauge({
    name: 'tollgate_rate_limit_fallback_switches',
    help: 'Times this node switched to per-node rate limits since it started.',
    registers: [registry],
    collect() {
      this.set(status().fallbackSwitches);
    },
  });
  new Gauge({
    name: 'tollgate_rate_limit_backend_info',
    help: 'The configured rate-limit backend (label backend: memory or redis).',
    labelNames: ['backend'],
    registers: [registry],
    collect() {
      this.reset();
      this.set({ backend: status().backend }, 1);
    },
  });
}
