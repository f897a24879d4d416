// Tollgate itself, built (`node dist/src/cli/index.js serve`) and run with everything on: a real key
// check (HMAC compared in constant time, behind the key cache), rate limits checked on every request
// (high enough never to refuse the load), and credit metering (a priced model: every request reserves
// credits before going upstream and settles them after). The product's default log level unless
// BENCH_TOLLGATE_LOG_LEVEL says otherwise. Storage is the caller's choice: by default the embedded
// SQLite in the target's work directory (the `tollgate` target); tollgate-pg-redis-target.ts gives it
// PostgreSQL and Redis and a second node.
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
import type { BenchConfig } from '../bench-config.js';
import type { BenchTarget, TargetContext } from '../bench-target.js';
import { seedApiKeys } from '../keys/seed-api-keys.js';
import { builtCli } from '../tollgate/build-dist.js';
import { BENCH_OPERATOR_EMAIL, provisionTollgate, type Provisioned } from '../tollgate/provision-tollgate.js';
import { renderTollgateConfig } from '../tollgate/tollgate-config.js';
import { startTollgateNodes, stopTollgateNodes } from '../tollgate/tollgate-nodes.js';
import { warmKeyCache } from '../tollgate/warm-key-cache.js';
import { waitUntilIdle } from '../wait-until-idle.js';

const KEY_PREFIX = 'tg';

/** Where a deployment keeps its data: every node is told, and the seeding connects to the same. */
export interface TollgateStores {
  /** A postgres:// URL (its schema in it); unset: the embedded SQLite in the data directory. */
  databaseUrl?: string;
  /** The Redis the nodes share (limits, credits, the cache bus); unset: each node's own memory. */
  redisUrl?: string;
  close(): Promise<void>;
}

export interface TollgateTargetOptions {
  /** The name in BENCH_TARGETS and in the report (default `tollgate`). */
  name?: string;
  /** Extra node flags for the server processes (the profiling run adds --cpu-prof). */
  nodeArgs?: readonly string[];
  /** Fill the key cache with the seeded keys on this upstream's start (default: zero-delay only). */
  warmOn?: ReadonlyArray<TargetContext['upstreamKind']>;
  /** Opened on a run's first start, closed by `finish` (default: the embedded SQLite, nothing to open). */
  openStores?(context: TargetContext): Promise<TollgateStores>;
  /** Why `openStores` cannot work here, or undefined. */
  storesMissing?(config: BenchConfig): string | undefined;
  /** Nodes of the deployment, started alike; the load goes to the first, the others run idle (default 1). */
  nodes?: number;
}

/** What a run keeps from its first start to `finish`. */
interface Deployment {
  stores: TollgateStores;
  masterKey: string;
  dataDir: string;
  /** Set by the first start whose first node came up: provisioned through it, then seeded. */
  seeded?: Seeded;
}

interface Seeded extends Provisioned {
  /** Seeded keys, all valid; sent once each on the zero-delay start to fill the key cache. */
  keys: string[];
}

/** The embedded SQLite in each node's data directory: nothing to open or close. */
const embeddedStores = async (): Promise<TollgateStores> => ({ close: async () => {} });

export function tollgateTarget(options: TollgateTargetOptions = {}): BenchTarget {
  const name = options.name ?? 'tollgate';
  /** One deployment per work directory (per run). */
  const deployments = new Map<string, Deployment>();
  return {
    name,
    ...(options.storesMissing ? { unavailableReason: options.storesMissing } : {}),
    async start(context) {
      const { workDir, config, log } = context;
      const cli = await builtCli(process.cwd(), config.skipBuild, log);
      const deployment = deployments.get(workDir) ?? (await openDeployment(context, options.openStores ?? embeddedStores));
      deployments.set(workDir, deployment);
      const configPath = join(workDir, 'tollgate.json');
      writeFileSync(configPath, renderTollgateConfig(context.upstreamUrl));
      const nodes = await startTollgateNodes(context, {
        name,
        count: options.nodes ?? 1,
        args: [...config.tollgateNodeArgs, ...(options.nodeArgs ?? []), cli, 'serve'],
        env: nodeEnvironment(config, deployment, configPath),
      });
      const [loaded, ...idle] = nodes;
      try {
        const seeded = (deployment.seeded ??= await provisionAndSeed(loaded.origin, deployment, { name, keys: config.tollgateKeys, log }));
        // The load key, made through the first node, passes on the others: they share its storage.
        for (const node of idle) await warmKeyCache(`${node.origin}/v1`, [seeded.key]);
        if (idle.length > 0) log(`  ${name}: the load key made through the first node passes on the other ${idle.length}`);
        if ((options.warmOn ?? ['zero']).includes(context.upstreamKind) && seeded.keys.length > 0) {
          const warmed = await warmKeyCache(`${loaded.origin}/v1`, seeded.keys, { timeLimitS: 600 });
          log(`  ${name}: ${warmed.keys.toLocaleString('en-US')} distinct keys verified and cached in ${warmed.seconds.toFixed(1)} s (${Math.round(warmed.keys / warmed.seconds)} req/s)`);
          // The batched last-used and usage writes of those requests run in the background: let
          // them finish, on every node, before anything is measured.
          const idles = await Promise.all(nodes.map((node) => waitUntilIdle(node.proc.pid, { timeoutS: 120, minWaitMs: 6_000 })));
          const busiest = idles.reduce((a, b) => (a.waitedS >= b.waitedS ? a : b));
          log(`  ${name}: background writes done after ${busiest.waitedS.toFixed(1)} s${idles.every((i) => i.idle) ? '' : ` (still at ${Math.round(busiest.lastCpuPct)}% CPU)`}`);
        }
        return {
          url: `${loaded.origin}/v1`,
          headers: { authorization: `Bearer ${seeded.key}` },
          pid: loaded.proc.pid,
          stop: () => stopTollgateNodes(nodes, name),
        };
      } catch (error) {
        await stopTollgateNodes(nodes, name).catch(() => {});
        throw error;
      }
    },
    async finish(workDir) {
      const deployment = deployments.get(workDir);
      deployments.delete(workDir);
      await deployment?.stores.close();
    },
  };
}

async function openDeployment(context: TargetContext, openStores: (context: TargetContext) => Promise<TollgateStores>): Promise<Deployment> {
  const dataDir = join(context.workDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  return { stores: await openStores(context), masterKey: randomBytes(32).toString('base64'), dataDir };
}

/** What every node of the deployment is given (each adds its own port). */
function nodeEnvironment(config: BenchConfig, { stores, masterKey, dataDir }: Deployment, configPath: string): NodeJS.ProcessEnv {
  return {
    ...withoutTollgateSettings(process.env),
    TOLLGATE_HOST: '127.0.0.1',
    TOLLGATE_DATA_DIR: dataDir,
    TOLLGATE_MASTER_KEY: masterKey,
    TOLLGATE_CONFIG: configPath,
    TOLLGATE_KEY_PREFIX: KEY_PREFIX,
    TOLLGATE_LOG_LEVEL: config.tollgateLogLevel,
    TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL: BENCH_OPERATOR_EMAIL,
    ...(stores.databaseUrl ? { TOLLGATE_DATABASE_URL: stores.databaseUrl } : {}),
    ...(stores.redisUrl ? { TOLLGATE_REDIS_URL: stores.redisUrl } : {}),
  };
}

async function provisionAndSeed(
  origin: string,
  { stores, dataDir, masterKey }: Deployment,
  { name, keys, log }: { name: string; keys: number; log: (line: string) => void },
): Promise<Seeded> {
  const provisioned = await provisionTollgate(origin);
  const database = await connectDatabase({ databaseUrl: stores.databaseUrl, dataDir });
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
    log(`  ${name}: provisioned (operator, key, key and account budgets, credits) and seeded ${seeded.rows.toLocaleString('en-US')} keys in ${seeded.seconds.toFixed(1)} s`);
    return { ...provisioned, keys: seeded.keys };
  } finally {
    await database.close();
  }
}

/** The developer's own TOLLGATE_* settings (a PostgreSQL URL, Redis) must not leak into the target. */
function withoutTollgateSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('TOLLGATE_')));
}

export const defaultTollgateTarget = tollgateTarget();
