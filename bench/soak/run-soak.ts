// The soak (issue 14): `BENCH_TARGETS=soak npm run bench`. Two built Tollgate nodes share one
// PostgreSQL and one Redis (BENCH_DATABASE_URL / BENCH_REDIS_URL, or servers of its own) and take
// a fixed rate (BENCH_SOAK_RATE req/s, split between them) of priced calls for BENCH_SOAK_MINUTES
// (default 30). Each minute it samples, per node, the resident memory, the open file descriptors
// (sockets, files: what leaked handles show up as) and the p99 of that minute; the table goes to
// BENCHMARKS.md between its soak markers. What to look for: flat RSS, p99 and descriptors.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { BenchConfig } from '../bench-config.js';
import type { CpuPlan } from '../cpu-plan.js';
import { freePort } from '../free-port.js';
import { LOAD_BODY } from '../load-scenarios.js';
import { startMockUpstreams } from '../mock-upstreams.js';
import { runLoad, type LoadSample } from '../run-load.js';
import { spawnPinned, type PinnedProcess } from '../spawn-pinned.js';
import { builtCli } from '../tollgate/build-dist.js';
import { BENCH_OPERATOR_EMAIL, provisionTollgate } from '../tollgate/provision-tollgate.js';
import { sharedStores } from '../tollgate/shared-stores.js';
import { renderTollgateConfig } from '../tollgate/tollgate-config.js';
import { waitForPort } from '../wait-until-ready.js';
import { renderSoakTable, writeSoakTable, type SoakMinute } from './soak-table.js';

export const SOAK = 'soak';

/** Resident memory now (VmRSS, MB), not the high-water mark: growth is what a soak looks for. */
function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) / 1024;
}

function openDescriptors(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

export async function runSoak(config: BenchConfig, plan: CpuPlan, runDir: string, log: (line: string) => void): Promise<void> {
  const { soakMinutes: minutes, soakRate: rate } = config;
  log(`Soak: ${rate} req/s through two Tollgate nodes for ${minutes} min (${plan.description})`);
  const cli = await builtCli(process.cwd(), config.skipBuild, log);
  const upstreams = await startMockUpstreams(config, plan);
  const stores = await sharedStores(config, log);
  const nodes: PinnedProcess[] = [];
  try {
    const configPath = join(runDir, 'tollgate.json');
    writeFileSync(configPath, renderTollgateConfig(upstreams.urls.delayed));
    const shared = {
      TOLLGATE_HOST: '127.0.0.1',
      TOLLGATE_DATABASE_URL: stores.databaseUrl,
      TOLLGATE_REDIS_URL: stores.redisUrl,
      TOLLGATE_MASTER_KEY: randomBytes(32).toString('base64'),
      TOLLGATE_CONFIG: configPath,
      TOLLGATE_LOG_LEVEL: config.tollgateLogLevel,
      TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: BENCH_OPERATOR_EMAIL,
      PATH: process.env.PATH ?? '',
    };
    const origins: string[] = [];
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const env = { ...shared, TOLLGATE_PORT: String(port), TOLLGATE_DATA_DIR: join(runDir, `node-${name}`) };
      // Started one after the other: the first applies the migrations.
      const node = spawnPinned(process.execPath, [cli, 'serve'], { plan, cpu: plan.targetCpu, env, cwd: runDir, stdout: 'ignore' });
      nodes.push(node);
      await waitForPort(node, port, `tollgate node ${name}`, 60_000);
      origins.push(`http://127.0.0.1:${port}`);
    }
    const provisioned = await provisionTollgate(origins[0]!);
    const headers = { authorization: `Bearer ${provisioned.key}` };
    const rows: SoakMinute[] = [];
    for (let minute = 1; minute <= minutes; minute++) {
      // One fixed-rate run per node per minute, side by side; the sample is taken at the minute's end.
      const samples: LoadSample[] = await Promise.all(
        origins.map((origin) => runLoad({ url: `${origin}/v1`, headers, body: LOAD_BODY, connections: 8, durationS: 60, overallRate: rate / 2 })),
      );
      const row: SoakMinute = {
        minute,
        requests: samples.reduce((sum, s) => sum + s.requests, 0),
        failed: samples.reduce((sum, s) => sum + s.non2xx + s.errors, 0),
        p99Ms: samples.map((s) => s.p99Ms),
        rssMb: nodes.map((n) => rssMb(n.pid)),
        descriptors: nodes.map((n) => openDescriptors(n.pid)),
        loadAverage: loadavg()[0]!,
      };
      rows.push(row);
      log(`  minute ${minute}: ${row.requests} ok, ${row.failed} failed, p99 ${row.p99Ms.map((p) => p.toFixed(1)).join('/')} ms, RSS ${row.rssMb.map((m) => m.toFixed(0)).join('/')} MB, fds ${row.descriptors.join('/')}, load ${row.loadAverage.toFixed(1)}`);
    }
    const table = renderSoakTable(rows, { rate, minutes, storage: stores.description, plan: plan.description });
    log(`\n${table}`);
    if (writeSoakTable(config.benchmarksDoc, table)) log('updated the soak figures in BENCHMARKS.md');
  } finally {
    await Promise.all(nodes.map((n) => n.stop(15_000)));
    await upstreams.process.stop();
    await stores.close();
  }
}
