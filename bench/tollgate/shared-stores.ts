// The PostgreSQL and Redis that several Tollgate nodes of the benchmark share (the soak's two nodes,
// the tollgate-pg-redis target's): the ones BENCH_DATABASE_URL and BENCH_REDIS_URL name, or else
// servers of its own (the fault suite's, test/support), started here and stopped at `close`, so a run
// that was given none never writes into a database someone else uses.
import type { BenchConfig } from '../bench-config.js';
import { ownPostgresMissing, startOwnPostgres } from '../../test/support/own-postgres.js';
import { ownRedisMissing, startOwnRedis } from '../../test/support/own-redis.js';

export interface SharedStores {
  databaseUrl: string;
  redisUrl: string;
  description: string;
  close(): Promise<void>;
}

/** Why the stores cannot be had here (none configured, and no server of its own can start), or undefined. */
export function sharedStoresMissing(config: BenchConfig): string | undefined {
  const postgres = config.databaseUrl ? undefined : ownPostgresMissing();
  if (postgres) return `no PostgreSQL: set BENCH_DATABASE_URL=postgres://… (none of its own either: ${postgres})`;
  const redis = config.redisUrl ? undefined : ownRedisMissing();
  if (redis) return `no Redis: set BENCH_REDIS_URL=redis://… (none of its own either: ${redis})`;
  return undefined;
}

export async function sharedStores(config: BenchConfig, log: (line: string) => void): Promise<SharedStores> {
  const missing = sharedStoresMissing(config);
  if (missing) throw new Error(missing);
  const closers: Array<() => Promise<void>> = [];
  const close = async () => void (await Promise.all(closers.map((closer) => closer())));
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const own = await startOwnPostgres();
      closers.push(() => own.remove());
      databaseUrl = own.url;
    }
    let redisUrl = config.redisUrl;
    if (!redisUrl) {
      const own = await startOwnRedis();
      closers.push(() => own.stop());
      redisUrl = own.url;
    }
    const description = `PostgreSQL${config.databaseUrl ? '' : ' (its own)'} + Redis${config.redisUrl ? '' : ' (its own)'}`;
    log(`  stores: ${description}`);
    return { databaseUrl, redisUrl, description, close };
  } catch (error) {
    await close();
    throw error;
  }
}
