// The load runs made against every target: closed-loop at fixed connection counts against the
// zero-delay upstream (throughput and pure overhead), and open-loop at a fixed request rate against
// the fixed-delay upstream (latency under steady, realistic concurrency).
import type { BenchConfig } from './bench-config.js';
import type { UpstreamKind } from './mock-upstreams.js';

export interface LoadScenario {
  /** Stable key used in results and comparisons: `c1`, `c16`, `c64`, `rate`. */
  id: string;
  label: string;
  connections: number;
  overallRate?: number;
  upstream: UpstreamKind;
}

export const LOAD_BODY = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hello from the benchmark.' }],
  max_tokens: 16,
});

export function loadScenarios(config: BenchConfig): LoadScenario[] {
  return [
    ...config.connections.map((connections) => ({
      id: `c${connections}`,
      label: `${connections} connection${connections === 1 ? '' : 's'}`,
      connections,
      upstream: 'zero' as const,
    })),
    {
      id: 'rate',
      label: `${config.ratePerS} req/s over ${config.rateConnections} connections, upstream +${config.upstreamDelayMs} ms`,
      connections: config.rateConnections,
      overallRate: config.ratePerS,
      upstream: 'delayed',
    },
  ];
}
