// Child-process entry that serves the three mock upstreams of the benchmark from test/support:
// zero delay, a fixed delay, and paced server-sent events. Settings come as one JSON argument; the
// URLs are printed as one JSON line once all three listen. Requests are not recorded, so memory stays
// flat however long the run.
import { startMockOpenAI } from '../test/support/mock-openai.js';
import type { UpstreamSettings, UpstreamUrls } from './mock-upstreams.js';

const settings = JSON.parse(process.argv[2] ?? '{}') as UpstreamSettings;

const [zero, delayed, sse] = await Promise.all([
  startMockOpenAI({ recordRequests: false }),
  startMockOpenAI({ recordRequests: false, delayMs: settings.delayMs }),
  startMockOpenAI({ recordRequests: false, chunks: settings.sseChunks, chunkIntervalMs: settings.sseChunkIntervalMs }),
]);
const urls: UpstreamUrls = { zero: zero.url, delayed: delayed.url, sse: sse.url };
process.stdout.write(`${JSON.stringify(urls)}\n`);

process.on('SIGTERM', () => {
  void Promise.all([zero.close(), delayed.close(), sse.close()]).then(() => process.exit(0));
});
