// The limiter backends under test: in-process always, Redis when TOLLGATE_TEST_REDIS_URL is set.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { LimiterStore, LimiterStoreOptions } from '../../src/limits/limiter-store.js';
import { MemoryLimiterStore } from '../../src/limits/memory-limiter-store.js';
import { RedisLimiterStore } from '../../src/limits/redis-limiter-store.js';
import { redisUrl } from '../support/databases.js';

export interface StoreFactory {
  name: 'memory' | 'redis';
  /** `nodes` stores sharing one deployment (for memory, only 1 makes sense). */
  open(options: LimiterStoreOptions, nodes?: number): Promise<{ stores: LimiterStore[]; close(): Promise<void> }>;
}

const memory: StoreFactory = {
  name: 'memory',
  async open(options) {
    const store = new MemoryLimiterStore(options);
    return { stores: [store], close: () => store.close() };
  },
};

const redis: StoreFactory = {
  name: 'redis',
  async open(options, nodes = 1) {
    const keyPrefix = `tg:test:${randomBytes(6).toString('hex')}:`;
    const clients = Array.from({ length: nodes }, () => new Redis(redisUrl!, { maxRetriesPerRequest: 1 }));
    const stores = clients.map((client) => new RedisLimiterStore(client, { ...options, keyPrefix }));
    return {
      stores,
      async close() {
        const keys = await clients[0]!.keys(`${keyPrefix}*`);
        if (keys.length > 0) await clients[0]!.del(...keys);
        for (const client of clients) client.disconnect();
      },
    };
  },
};

let warned = false;
export function storeFactories(): StoreFactory[] {
  if (!redisUrl && !warned) {
    warned = true;
    console.warn('Redis limiter suites skipped: set TOLLGATE_TEST_REDIS_URL=redis://… to run them.');
  }
  return redisUrl ? [memory, redis] : [memory];
}

export { redisUrl };
