// The config file (TOLLGATE_CONFIG, SPEC §7) of the benchmarked Tollgate: one OpenAI-compatible
// provider (the mock upstream), the model the load asks for as an alias of it, a price on that
// model so every request reserves and settles credits, and account limits high enough never to
// refuse the benchmark's load while still being checked on every request.
export const BENCH_MODEL = 'gpt-4o-mini';

export function renderTollgateConfig(upstreamUrl: string): string {
  const config = {
    providers: [{ id: 'mock', type: 'openai', base_url: upstreamUrl, models: [BENCH_MODEL] }],
    aliases: [{ name: BENCH_MODEL, strategy: 'fallback', targets: [{ provider: 'mock', model: BENCH_MODEL }] }],
    // Credits per million tokens plus a per-request fee: each request reserves (input estimate +
    // max_tokens) × price before going upstream and settles to the usage the upstream reports.
    prices: [{ model: BENCH_MODEL, input_per_mtok: 150, output_per_mtok: 600, per_request: 1 }],
    limits: { default: { rpm: 1_000_000_000, tpm: 1_000_000_000_000, concurrency: 100_000 } },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}
