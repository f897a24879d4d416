// Builds the data plane's long-lived parts (called once by the composition root, src/services.ts):
// the key cache and its invalidation (local events, plus the Redis bus when configured), the
// catalog of upstreams, the upstream client, sessions, the usage writer, last-use tracking and
// metrics. `close()` flushes what is queued and closes connections.
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { DerivedSecrets } from '../crypto/master-key.js';
import type { KeyEvents } from '../keys/key-events.js';
import { RedisKeyBus } from '../keys/redis-key-bus.js';
import type { Storage } from '../storage/storage.js';
import { Catalog } from '../catalog/catalog.js';
import { GatewayMetrics } from './gateway-metrics.js';
import { KeyCache } from '../keys/key-cache.js';
import { LastUsedTracker } from '../keys/last-used.js';
import { SessionService } from '../sessions/session-service.js';
import { UpstreamClient, upstreamTimeouts } from '../upstream/upstream-client.js';
import { UsageWriter } from './usage-writer.js';

/** No node trusts a cached key row for longer than this (SPEC §2). */
export const KEY_CACHE_MAX_AGE_MS = 30_000;
export const KEY_CACHE_MAX_ENTRIES = 100_000;
export const CATALOG_TTL_MS = 5_000;
export const SESSION_CACHE_TTL_MS = 5_000;

export interface Gateway {
  keyCache: KeyCache;
  keyBus: RedisKeyBus | null;
  catalog: Catalog;
  upstream: UpstreamClient;
  sessions: SessionService;
  usage: UsageWriter;
  lastUsed: LastUsedTracker;
  metrics: GatewayMetrics;
  close(): Promise<void>;
}

export interface GatewayDeps {
  config: Readonly<Config>;
  storage: Storage;
  secrets: DerivedSecrets;
  keyEvents: KeyEvents;
  logger: Logger;
}

export async function buildGateway({ config, storage, secrets, keyEvents, logger }: GatewayDeps): Promise<Gateway> {
  const metrics = GatewayMetrics.withDefaults();
  const keyCache = new KeyCache(storage, {
    maxEntries: KEY_CACHE_MAX_ENTRIES,
    maxAgeMs: () => KEY_CACHE_MAX_AGE_MS,
    onLookup: (result) => metrics.keyCacheLookups.inc({ result }),
  });
  const stopKeyEvents = keyEvents.onChanged((keyId) => keyCache.drop(keyId));
  const catalog = new Catalog(storage, config, secrets, CATALOG_TTL_MS);

  let keyBus: RedisKeyBus | null = null;
  if (config.redisUrl) {
    keyBus = new RedisKeyBus({
      url: config.redisUrl,
      keyEvents,
      logger,
      onCatalogChanged: (owner) => catalog.invalidate(owner),
      onResync: () => {
        keyCache.clear();
        catalog.clear();
      },
    });
    const bus = keyBus;
    catalog.onChanged((owner) => bus.catalogChanged(owner));
    metrics.keyBusHealthy.set(0);
    // A node starts even while Redis is down; caches then trust entries for 30 s at most.
    await keyBus.start().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'redis key bus unavailable at start'));
  }
  const healthTimer = setInterval(() => metrics.keyBusHealthy.set(keyBus?.healthy ? 1 : 0), 1_000);
  healthTimer.unref();

  const usage = new UsageWriter(storage, logger, 1_000, (count) => metrics.usageDropped.inc(count));
  const lastUsed = new LastUsedTracker(storage, logger, 5_000);
  const upstream = new UpstreamClient(upstreamTimeouts(config.file));
  return {
    keyCache,
    keyBus,
    catalog,
    upstream,
    sessions: new SessionService(storage, SESSION_CACHE_TTL_MS),
    usage,
    lastUsed,
    metrics,
    async close() {
      clearInterval(healthTimer);
      stopKeyEvents();
      await Promise.allSettled([usage.close(), lastUsed.close()]);
      await Promise.allSettled([keyBus?.close(), upstream.close()]);
    },
  };
}
