// The composition root: every long-lived service, client, agent, registry and timer is built here,
// once, from the frozen Config, and handed to the HTTP layer; `close()` undoes them in reverse order
// of building. Nothing else constructs clients, starts timers or reads the environment; modules take
// what they use (a function or a small interface). Only the edges (cli, app, data-plane.ts) import
// this file's values; each route file names the parts it uses as `…RouteDeps = Pick<Services, …>`.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { AccessTokens } from './auth/access-tokens.js';
import { Closers } from './closers.js';
import { argon2idPasswords, type Passwords } from './auth/passwords.js';
import { buildThrottles, type ThrottleLimits, type Throttles } from './auth/throttles.js';
import { RefreshTokens } from './auth/refresh-tokens.js';
import { ServiceTokens } from './auth/service-tokens.js';
import { SsoClients } from './auth/sso-clients.js';
import { Catalog } from './catalog/catalog.js';
import { GithubSignatureVerifier } from './crypto/github-signature-verifier.js';
import { apiEndpointOf } from './core/top-up-rules.js';
import { StripeTopUps } from './credits/stripe-top-ups.js';
import { ConfigError, DEFAULT_SERVICE_NAME, type Config } from './config.js';
import type { OnBudgetThreshold } from './credits/budget-claims.js';
import type { BudgetPresence } from './credits/budget-presence.js';
import type { Budgets } from './credits/budgets.js';
import { deriveSecrets, loadOrCreateMasterKey, masterKeyFingerprint, sameFingerprint, type DerivedSecrets } from './crypto/master-key.js';
import { GatewayMetrics } from './gateway/gateway-metrics.js';
import { UsageWriter } from './gateway/usage-writer.js';
import { KeyCache } from './keys/key-cache.js';
import { KeyEvents } from './keys/key-events.js';
import { KeyService } from './keys/key-service.js';
import { LastUsedTracker } from './keys/last-used.js';
import { LeakedKeyIntake, type OnKeyLeaked } from './keys/leaked-key-intake.js';
import { KEY_BUS_HEARTBEAT_MS, RedisKeyBus } from './keys/redis-key-bus.js';
import type { Admission } from './limits/admission.js';
import { buildAdmissionEngine, type CreditServices } from './limits/build-admission.js';
import { registerLimiterMetrics } from './limits/limit-metrics.js';
import { SessionService } from './sessions/session-service.js';
import { connectDatabase, migrateToLatest, type DatabaseHandle } from './storage/connect.js';
import { ServerSettingsRepository } from './storage/server-settings.js';
import { camelCased, Storage } from './storage/storage.js';
import type { Tracing } from './tracing/start-tracing.js';
import { UpstreamClient, upstreamAgents, upstreamTimeouts } from './upstream/upstream-client.js';
import { Agent } from 'undici';
import { CreditsLowThresholds, creditsLowWatch } from './events/credits-low-watch.js';
import { StoredEventPublisher } from './events/event-publisher.js';
import { KeyExpiryWarnings } from './events/key-expiry-warnings.js';
import { UnpricedNotices } from './events/unpriced-notices.js';
import { guardedLookup } from './upstream/guarded-lookup.js';
import { WebhookEndpoints } from './webhooks/webhook-endpoints.js';
import { ATTEMPT_TIMEOUT_MS, WebhookSender } from './webhooks/webhook-sender.js';
import { WebhookWorker } from './webhooks/webhook-worker.js';

/** No node trusts a cached key row for longer than this (SPEC §2). */
export const KEY_CACHE_MAX_AGE_MS = 30_000;
export const KEY_CACHE_MAX_ENTRIES = 100_000;
export const CATALOG_TTL_MS = 5_000;
export const SESSION_CACHE_TTL_MS = 5_000;
/** How long a node trusts the credits.low thresholds it read when no Redis bus tells it of changes. */
const CREDITS_LOW_THRESHOLDS_TTL_MS = 5_000;
const USAGE_FLUSH_MS = 1_000;
const LAST_USED_FLUSH_MS = 5_000;
const KEY_BUS_HEALTH_MS = 1_000;
const RESERVATION_SWEEP_MS = 60_000;
const WEBHOOK_POLL_MS = 1_000;
const WEBHOOK_CONNECT_MS = 5_000;

/** The data plane's long-lived parts: key cache and its Redis bus, upstream catalog and client, sessions, usage, metrics. */
export interface Gateway {
  keyCache: KeyCache;
  keyBus: RedisKeyBus | null;
  catalog: Catalog;
  upstream: UpstreamClient;
  sessions: SessionService;
  usage: UsageWriter;
  lastUsed: LastUsedTracker;
  metrics: GatewayMetrics;
}

export interface Services {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  storage: Storage;
  secrets: DerivedSecrets;
  accessTokens: AccessTokens;
  refreshTokens: RefreshTokens;
  serviceTokens: ServiceTokens;
  keys: KeyService;
  keyEvents: KeyEvents;
  /** Rate limits and credits for the data plane (src/limits, src/credits). */
  admission: Admission;
  credits: CreditServices;
  /** The data plane's parts (src/gateway mounts them). */
  gateway: Gateway;
  throttles: Throttles;
  passwords: Passwords;
  /** GitHub secret scanning reports (SPEC §10); `verifier` is null while no public key is configured. */
  secretScanning: { verifier: GithubSignatureVerifier | null; intake: LeakedKeyIntake };
  /** Selling credits: the Stripe client, or null when billing.stripe is not configured. */
  billing: { stripe: StripeTopUps | null };
  /** OpenTelemetry tracing when it is on (SPEC §12); null: no span code runs. */
  tracing: Tracing | null;
  /** SPEC §9: the event publisher, the account's webhook endpoints and the delivery worker. */
  events: StoredEventPublisher;
  webhooks: { endpoints: WebhookEndpoints; worker: WebhookWorker };
  /** Single sign-on (SPEC §12): one OpenID Connect client per configured issuer, discovered on first use. */
  sso: SsoClients;
  close(): Promise<void>;
}

export interface BuildOptions {
  logger: Logger;
  /** PostgreSQL schema for an isolated test run. */
  databaseSchema?: string;
  /** Apply migrations at start (the server does; `tollgate migrate` does it alone). */
  migrate?: boolean;
  /** Attempt budgets other than the defaults (tests register many users from one address). */
  throttles?: Partial<ThrottleLimits>;
  /** Password hashing other than argon2id's own functions (a test counts the checks a guess costs). */
  passwords?: Passwords;
  /** Tracing on, into this exporter, whatever the environment says (tests). */
  spanExporter?: SpanExporter;
  /** The clock of budgets' periods, events and webhook deliveries (tests move it; default the wall clock). */
  clock?: () => Date;
  /** Every credit claim a storage transaction even on SQLite (tests of that path, which PostgreSQL uses). */
  storageCredits?: boolean;
}

/** The Redis client, loaded only when Redis is configured: a single node without it never loads it. */
async function redisClient() {
  return (await import('ioredis')).Redis;
}

/** Fail fast instead of queueing: a node keeps serving while Redis is away (fallback limits, 30 s cache trust). */
const REDIS_COMMON: RedisOptions = { lazyConnect: true, connectTimeout: 2_000, retryStrategy: (times: number) => Math.min(times * 200, 2_000) };

export async function buildServices(config: Config, options: BuildOptions): Promise<Services> {
  const { logger } = options;
  const closers = new Closers();
  const masterKey = config.masterKey ?? loadOrCreateMasterKey(config.dataDir);
  const secrets = deriveSecrets(masterKey);
  const database = await connectDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    schema: options.databaseSchema,
    onIdleConnectionError: (error) => logger.warn({ err: error }, 'an idle database connection was lost; the next query reconnects'),
    checkpointInBackground: { onFailure: (error) => logger.error({ err: error }, 'the write-ahead log checkpointer failed; commits checkpoint it again') },
  });
  closers.add(() => database.close());
  if (options.migrate ?? true) {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) logger.info({ migrations: applied }, 'applied migrations');
  }
  await checkMasterKey(database, secrets);
  // Shut down (flushing queued spans) after everything that ends spans: the settlements the usage
  // flush waits for end theirs, so tracing is built before it and closed after it. Loaded only when
  // on: the SDK and the exporter take a noticeable part of start-up to load.
  let tracing: Tracing | null = null;
  if (config.tracing || options.spanExporter) {
    const { startTracing } = await import('./tracing/start-tracing.js');
    const started = startTracing({ serviceName: config.tracing?.serviceName ?? DEFAULT_SERVICE_NAME, log: logger, exporter: options.spanExporter });
    closers.add(() => started.shutdown());
    tracing = started;
  }
  const storage = new Storage(database.db);
  const metrics = GatewayMetrics.withDefaults();
  const clock = options.clock ?? (() => new Date());
  const events = new StoredEventPublisher(storage, clock);
  const unpricedNotices = new UnpricedNotices(storage, events, clock, logger);

  // Limits and credits: shared limits over one Redis connection when configured, else this node's memory.
  const limitsRedis = config.redisUrl ? new (await redisClient())(config.redisUrl, { ...REDIS_COMMON, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500 }) : null;
  if (limitsRedis) closers.add(() => limitsRedis.disconnect());
  // Budget thresholds and low balances become events (SPEC §9 budget.threshold, credits.low).
  const onBudgetThreshold: OnBudgetThreshold = (accountId, data) => {
    logger.info({ account_id: accountId, budget: data }, 'budget threshold crossed');
    return events.publish(accountId, 'budget.threshold', { ...data });
  };
  const creditsLowThresholds = new CreditsLowThresholds({ ttlMs: CREDITS_LOW_THRESHOLDS_TTL_MS });
  const admissionEngine = await buildAdmissionEngine(config, storage, logger, limitsRedis, {
    clock,
    onBudgetThreshold,
    onBalanceChange: creditsLowWatch(events, creditsLowThresholds),
    singleWriter: database.dialect === 'sqlite' && !options.storageCredits,
    onUnpricedCall: (accountId, model, policy) => void unpricedNotices.notice(accountId, model, policy),
  });
  closers.add(() => admissionEngine.close());
  const { ledger } = admissionEngine.credits;
  closers.every(RESERVATION_SWEEP_MS, function sweepReservations() {
    ledger.sweepExpired().then(
      (released) => released > 0 && logger.warn({ released }, 'released expired credit reservations'),
      (error: unknown) => logger.warn({ err: error }, 'credit reservation sweep failed'),
    );
  });
  registerLimiterMetrics(metrics.registry, admissionEngine.credits.limiterStatus);
  metrics.registry.registerMetric(admissionEngine.credits.unpricedRequests);

  // Keys: the cache, dropped at once by local events and by the Redis bus from other nodes.
  const keyEvents = new KeyEvents();
  const keyCache = new KeyCache(storage, {
    maxEntries: KEY_CACHE_MAX_ENTRIES,
    maxAgeMs: () => KEY_CACHE_MAX_AGE_MS,
    onLookup: (result) => metrics.keyCacheLookups.inc({ result }),
  });
  closers.add(keyEvents.onChanged((keyId) => keyCache.drop(keyId)));
  // A key's settings changed (its budget among them, here or on another node): look for budgets again.
  const { budgets, budgetPresence } = admissionEngine.credits;
  closers.add(keyEvents.onChanged(() => budgetPresence.forget()));
  const catalog = new Catalog(storage, config, secrets, CATALOG_TTL_MS);
  if (config.redisUrl) metrics.keyBusHealthy.set(0);
  const keyBus = config.redisUrl ? await startKeyBus(config.redisUrl, { keyEvents, keyCache, catalog, budgets, budgetPresence, creditsLowThresholds, logger, closers }) : null;
  closers.every(KEY_BUS_HEALTH_MS, () => metrics.keyBusHealthy.set(keyBus?.healthy ? 1 : 0));

  // Upstreams: two connection pools, closed after the flushes below (last built, first closed).
  const agents = upstreamAgents(upstreamTimeouts(config.file));
  closers.add(() => Promise.allSettled([agents.trusted.close(), agents.guarded.close()]));

  // Off the request path: usage records and last-use times, written in batches and flushed at close
  // while storage is still open (their timers are cleared first, then the final flush runs).
  const usage = new UsageWriter(storage, logger, (count) => metrics.usageDropped.inc(count), admissionEngine.credits.groupCommit);
  closers.add(() => usage.flush());
  closers.every(USAGE_FLUSH_MS, () => void usage.flush());
  const lastUsed = new LastUsedTracker(storage, logger);
  closers.add(() => lastUsed.flush());
  closers.every(LAST_USED_FLUSH_MS, () => void lastUsed.flush());

  const keys = new KeyService(storage, secrets, config.keyPrefix, events);
  // A leak is worth an operator's attention in the log too (its id, never the key) besides the owner's webhooks.
  const onKeyLeaked: OnKeyLeaked = (accountId, data) => {
    logger.info({ accountId, key_id: data.key_id }, 'key leaked');
    return events.publish(accountId, 'key.leaked', { ...data });
  };
  const githubKeys = config.file.secret_scanning.github.public_keys;
  const secretScanning = {
    verifier: githubKeys.length > 0 ? new GithubSignatureVerifier(githubKeys) : null,
    intake: new LeakedKeyIntake({ storage, keys, keyEvents, onKeyLeaked, logger }),
  };
  const billing = { stripe: await buildStripe(config, closers) };
  const webhooks = startWebhooks(config, { storage, secrets, events, logger, clock, closers });
  closers.add(
    webhooks.endpoints.onChanged((accountId) => {
      creditsLowThresholds.forget(accountId);
      keyBus?.webhooksChanged(accountId);
    }),
  );

  const gateway: Gateway = {
    keyCache,
    keyBus,
    catalog,
    upstream: new UpstreamClient(agents),
    sessions: new SessionService(storage, SESSION_CACHE_TTL_MS),
    usage,
    lastUsed,
    metrics,
  };
  return {
    config,
    logger,
    database,
    storage,
    secrets,
    accessTokens: new AccessTokens(secrets.derive('jwt-hs256')),
    refreshTokens: new RefreshTokens(storage, secrets.derive('token-hmac')),
    serviceTokens: new ServiceTokens(storage, secrets.derive('token-hmac')),
    keys,
    keyEvents,
    admission: admissionEngine.admission,
    credits: admissionEngine.credits,
    gateway,
    throttles: buildThrottles(options.throttles),
    passwords: options.passwords ?? argon2idPasswords,
    secretScanning,
    billing,
    tracing,
    events,
    webhooks,
    sso: new SsoClients(config.ssoProviders),
    close: () => closers.closeAll(),
  };
}

/** The one Stripe client, over a connection pool of its own that close() ends. */
async function buildStripe(config: Readonly<Config>, closers: Closers): Promise<StripeTopUps | null> {
  const settings = config.file.billing?.stripe;
  if (!settings) return null;
  const agent = apiEndpointOf(settings.api_base)?.protocol === 'http' ? new HttpAgent({ keepAlive: true }) : new HttpsAgent({ keepAlive: true });
  closers.add(() => agent.destroy());
  return StripeTopUps.create(settings, agent);
}

/**
 * Webhook delivery (SPEC §9): its own connection pool — receivers follow the upstream rules of
 * SPEC §7, so unless private upstreams are allowed every connect goes through the guarded lookup —
 * and the worker's timer. At close the timer stops, the tick under way finishes, then the pool closes.
 */
function startWebhooks(
  config: Readonly<Config>,
  { storage, secrets, events, logger, clock, closers }: { storage: Storage; secrets: DerivedSecrets; events: StoredEventPublisher; logger: Logger; clock: () => Date; closers: Closers },
): Services['webhooks'] {
  const allowPrivate = config.allowPrivateUpstreams;
  const agent = new Agent({
    headersTimeout: ATTEMPT_TIMEOUT_MS,
    bodyTimeout: ATTEMPT_TIMEOUT_MS,
    connect: { timeout: WEBHOOK_CONNECT_MS, ...(allowPrivate ? {} : { lookup: guardedLookup }) },
  });
  closers.add(() => agent.close());
  const worker = new WebhookWorker({
    storage,
    secrets,
    sender: new WebhookSender({ dispatcher: agent, allowPrivate }),
    expiryWarnings: new KeyExpiryWarnings(storage, events),
    logger,
    now: clock,
  });
  closers.add(() => worker.idle());
  closers.every(WEBHOOK_POLL_MS, () => worker.poll());
  return { endpoints: new WebhookEndpoints(storage, secrets, { allowPrivate, now: clock }), worker };
}

/**
 * The revocation and catalog fan-out (SPEC §2): two connections, since a subscribed one cannot
 * publish, and the heartbeat that tells whether other nodes' events reach us. A node starts even
 * while Redis is down; caches then trust entries for 30 s at most.
 */
async function startKeyBus(
  url: string,
  {
    keyEvents,
    keyCache,
    catalog,
    budgets,
    budgetPresence,
    creditsLowThresholds,
    logger,
    closers,
  }: {
    keyEvents: KeyEvents;
    keyCache: KeyCache;
    catalog: Catalog;
    budgets: Budgets;
    budgetPresence: BudgetPresence;
    creditsLowThresholds: CreditsLowThresholds;
    logger: Logger;
    closers: Closers;
  },
): Promise<RedisKeyBus> {
  const Redis = await redisClient();
  const subscriber = new Redis(url, { ...REDIS_COMMON, autoResubscribe: false });
  const publisher = new Redis(url, { ...REDIS_COMMON, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  closers.add(async () => {
    await Promise.allSettled([subscriber.quit(), publisher.quit()]);
    subscriber.disconnect();
    publisher.disconnect();
  });
  const keyBus = new RedisKeyBus({
    subscriber,
    publisher,
    keyEvents,
    logger,
    onCatalogChanged: (owner) => catalog.invalidate(owner),
    onBudgetsChanged: (accountId) => budgetPresence.forget(accountId),
    onWebhooksChanged: (accountId) => creditsLowThresholds.forget(accountId),
    onResync: () => {
      keyCache.clear();
      catalog.clear();
      budgetPresence.forget();
      creditsLowThresholds.forget();
    },
  });
  closers.add(() => keyBus.close());
  closers.add(catalog.onChanged((owner) => keyBus.catalogChanged(owner)));
  closers.add(budgets.onChanged((accountId) => keyBus.budgetsChanged(accountId)));
  closers.every(KEY_BUS_HEARTBEAT_MS, () => keyBus.ping());
  await keyBus.start().catch((error: Error) => logger.warn({ err: { message: error.message } }, 'redis key bus unavailable at start'));
  return keyBus;
}

/**
 * The first node records the master key's fingerprint; a node with another key stops here (SPEC
 * §7) rather than start and refuse every key, token and provider secret the others wrote.
 */
async function checkMasterKey(database: DatabaseHandle, secrets: DerivedSecrets): Promise<void> {
  const ours = masterKeyFingerprint(secrets);
  const recorded = await new ServerSettingsRepository(camelCased(database.db)).claim('master_key_fingerprint', ours, new Date().toISOString());
  if (sameFingerprint(recorded, ours)) return;
  await database.close();
  throw new ConfigError(
    'TOLLGATE_MASTER_KEY does not match the master key this database was set up with (its fingerprint differs); ' +
      'every node of a deployment must use the same key (or the same master.key file).',
  );
}
