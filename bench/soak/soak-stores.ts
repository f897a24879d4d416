// The PostgreSQL and Redis the soak's two nodes share: the ones BENCH_DATABASE_URL and
// BENCH_SOAK_REDIS_URL name, or else servers of its own (the fault suite's, test/support), started
// here and stopped at the end, so a soak never writes into a database someone else uses.
import type { BenchConfig } from '../bench-config.js';
import { ownPostgresMissing, startOwnPostgres } from '../../test/support/own-postgres.js';
import { ownRedisMissing, startOwnRedis } from '../../test/support/own-redis.js';

export interface SoakStores {
  databaseUrl: string;
  redisUrl: string;
  description: string;
  close(): Promise<void>;
}

export async function soakStores(config: BenchConfig, log: (line: string) => void): Promise<SoakStores> {
  const closers: Array<() => Promise<void>> = [];
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const missing = ownPostgresMissing();
      if (missing) throw new Error(`the soak needs PostgreSQL: set BENCH_DATABASE_URL (${missing})`);
      const own = await startOwnPostgres();
      closers.push(() => own.remove());
      databaseUrl = own.url;
    }
    let redisUrl = config.soakRedisUrl;
    if (!redisUrl) {
      const missing = ownRedisMissing();
      if (missing) throw new Error(`the soak needs Redis: set BENCH_SOAK_REDIS_URL (${missing})`);
      const own = await startOwnRedis();
      closers.push(() => own.stop());
      redisUrl = own.url;
    }
    const description = `PostgreSQL${config.databaseUrl ? '' : ' (its own)'} + Redis${config.soakRedisUrl ? '' : ' (its own)'}`;
    log(`  stores: ${description}`);
    return { databaseUrl, redisUrl, description, close: async () => void (await Promise.all(closers.map((close) => close()))) };
  } catch (error) {
    await Promise.all(closers.map((close) => close()));
    throw error;
  }
}
