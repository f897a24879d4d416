// Tollgate on PostgreSQL + Redis, as one node of two: two built servers configured alike share one
// PostgreSQL database (a schema of this run's own, dropped at its end) and one Redis, as a scaled-out
// deployment does; the load goes to the first, the second runs idle apart from its own background
// work. Both are on the target CPU. The stores are BENCH_DATABASE_URL and BENCH_REDIS_URL, or servers
// of the benchmark's own (bench/tollgate/shared-stores.ts); the target is skipped when neither can be
// had. PostgreSQL and Redis are not pinned, so the CPU they spend on each request is not in the
// target's µs per request: it shows as "other" CPU, as does the second node's.
import type { TargetContext } from '../bench-target.js';
import { createBenchSchema } from '../tollgate/bench-schema.js';
import { sharedStores, sharedStoresMissing } from '../tollgate/shared-stores.js';
import { tollgateTarget, type TollgateStores, type TollgateTargetOptions } from './tollgate-target.js';

const TOLLGATE_PG_REDIS = 'tollgate-pg-redis';

/** The target's options (the profiler adds its own node arguments to them). */
export const TOLLGATE_PG_REDIS_OPTIONS: TollgateTargetOptions = {
  name: TOLLGATE_PG_REDIS,
  nodes: 2,
  storesMissing: sharedStoresMissing,
  openStores: openStoresWithSchema,
};

export const tollgatePgRedisTarget = tollgateTarget(TOLLGATE_PG_REDIS_OPTIONS);

async function openStoresWithSchema({ config, log }: TargetContext): Promise<TollgateStores> {
  const stores = await sharedStores(config, log);
  try {
    const schema = await createBenchSchema(stores.databaseUrl);
    log(`  ${TOLLGATE_PG_REDIS}: PostgreSQL schema ${schema.name}`);
    return {
      databaseUrl: schema.url,
      redisUrl: stores.redisUrl,
      async close() {
        try {
          await schema.drop();
          log(`  ${TOLLGATE_PG_REDIS}: dropped schema ${schema.name}`);
        } finally {
          await stores.close();
        }
      },
    };
  } catch (error) {
    await stores.close();
    throw error;
  }
}
