// Tollgate itself, built (`node dist/src/cli/index.js serve`) and run with everything on: a real key
// check (HMAC compared in constant time, behind the key cache), rate limits checked on every request
// (high enough never to refuse the load), and credit metering (a priced model: every request reserves
// credits before going upstream and settles them after). Embedded storage (SQLite in the target's
// work directory), the product's default log level unless BENCH_TOLLGATE_LOG_LEVEL says otherwise.
//
// First start: provision through the public API (operator user, key, credits), then seed
// `tollgateKeys` more keys straight into the database. On the zero-delay start — the one the c1/c16/c64
// throughput runs use — every seeded key is sent once, so the key cache holds that many keys (100k in
// a full run) while the load runs and its peak RSS is read.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveSecrets } from '../../src/crypto/master-key.js';
import { KeyService } from '../../src/keys/key-service.js';
import { connectDatabase } from '../../src/storage/connect.js';
import { Storage } from '../../src/storage/storage.js';
import type { BenchTarget, TargetContext } from '../bench-target.js';
import { freePort } from '../free-port.js';
import { seedApiKeys } from '../keys/seed-api-keys.js';
import { builtCli } from '../tollgate/build-dist.js';
import { BENCH_OPERATOR_EMAIL, provisionTollgate, type Provisioned } from '../tollgate/provision-tollgate.js';
import { renderTollgateConfig } from '../tollgate/tollgate-config.js';
import { warmKeyCache } from '../tollgate/warm-key-cache.js';
import { waitForPort } from '../wait-until-ready.js';
import { waitUntilIdle } from '../wait-until-idle.js';

const KEY_PREFIX = 'tg';

interface Deployment extends Provisioned {
  masterKey: string;
  dataDir: string;
  /** Seeded keys, all valid; sent once each on the zero-delay start to fill the key cache. */
  seededKeys: string[];
}

/** One deployment per work directory (per run): provisioned on the first start, reused after. */
const deployments = new Map<string, Deployment>();

/** Extra node flags for the server process (the profiling run adds --cpu-prof). */
export interface TollgateTargetOptions {
  nodeArgs?: readonly string[];
  /** Fill the key cache with the seeded keys on this upstream's start (default: zero-delay only). */
  warmOn?: ReadonlyArray<TargetContext['upstreamKind']>;
}

export function tollgateTarget(options: TollgateTargetOptions = {}): BenchTarget {
  return {
    name: 'tollgate',
    async start(context) {
      const { workDir, config, log } = context;
      const root = process.cwd();
      const cli = await builtCli(root, config.skipBuild, log);
      const known = deployments.get(workDir);
      const dataDir = known?.dataDir ?? join(workDir, 'data');
      const masterKey = known?.masterKey ?? randomBytes(32).toString('base64');
      const configPath = join(workDir, 'tollgate.json');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(configPath, renderTollgateConfig(context.upstreamUrl));
      const port = await freePort();
      const env: NodeJS.ProcessEnv = { ...withoutTollgateSettings(process.env) };
      Object.assign(env, {
        TOLLGATE_HOST: '127.0.0.1',
        TOLLGATE_PORT: String(port),
        TOLLGATE_DATA_DIR: dataDir,
        TOLLGATE_MASTER_KEY: masterKey,
        TOLLGATE_CONFIG: configPath,
        TOLLGATE_KEY_PREFIX: KEY_PREFIX,
        TOLLGATE_LOG_LEVEL: config.tollgateLogLevel,
        TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: BENCH_OPERATOR_EMAIL,
      });
      // Request logs go to /dev/null: the server still formats and writes every line, but the
      // harness (on the load CPU) does not spend time reading them.
      const proc = context.spawn(process.execPath, [...config.tollgateNodeArgs, ...(options.nodeArgs ?? []), cli, 'serve'], { env, cwd: root, stdout: 'ignore' });
      try {
        await waitForPort(proc, port, 'tollgate', 60_000);
        const origin = `http://127.0.0.1:${port}`;
        const deployment = known ?? (await deploy(origin, { workDir, dataDir, masterKey, keys: config.tollgateKeys, log }));
        deployments.set(workDir, deployment);
        if ((options.warmOn ?? ['zero']).includes(context.upstreamKind) && deployment.seededKeys.length > 0) {
          const warmed = await warmKeyCache(`${origin}/v1`, deployment.seededKeys, { timeLimitS: 600 });
          log(`  tollgate: ${warmed.keys.toLocaleString('en-US')} distinct keys verified and cached in ${warmed.seconds.toFixed(1)} s (${Math.round(warmed.keys / warmed.seconds)} req/s)`);
          // The batched last-used and usage writes of those requests run in the background: let
          // them finish before anything is measured.
          const idle = await waitUntilIdle(proc.pid, { timeoutS: 120, minWaitMs: 6_000 });
          log(`  tollgate: background writes done after ${idle.waitedS.toFixed(1)} s${idle.idle ? '' : ` (still at ${Math.round(idle.lastCpuPct)}% CPU)`}`);
        }
        return {
          url: `${origin}/v1`,
          headers: { authorization: `Bearer ${deployment.key}` },
          pid: proc.pid,
          stop: () => proc.stop(15_000),
        };
      } catch (error) {
        await proc.stop();
        throw error;
      }
    },
  };
}

async function deploy(
  origin: string,
  { dataDir, masterKey, keys, log }: { workDir: string; dataDir: string; masterKey: string; keys: number; log: (line: string) => void },
): Promise<Deployment> {
  const provisioned = await provisionTollgate(origin);
  const database = await connectDatabase({ dataDir });
  try {
    const keyService = new KeyService(new Storage(database.db), deriveSecrets(Buffer.from(masterKey, 'base64')), KEY_PREFIX);
    const seeded = await seedApiKeys({
      db: database.db,
      dialect: database.dialect,
      count: keys,
      validCount: keys,
      accountId: provisioned.accountId,
      userId: provisioned.userId,
      prefix: KEY_PREFIX,
      hash: (key) => keyService.hash(key),
    });
    log(`  tollgate: provisioned (operator, key, credits) and seeded ${seeded.rows.toLocaleString('en-US')} keys in ${seeded.seconds.toFixed(1)} s`);
    return { ...provisioned, masterKey, dataDir, seededKeys: seeded.keys };
  } finally {
    await database.close();
  }
}

/** The developer's own TOLLGATE_* settings (a PostgreSQL URL, Redis) must not leak into the target. */
function withoutTollgateSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TOLLGATE_')));
}

export const defaultTollgateTarget = tollgateTarget();
