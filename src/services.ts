// The composition root: every long-lived service is built here, once, from the frozen Config,
// and handed to the HTTP layer. Nothing else constructs clients or reads the environment.
import type { Logger } from 'pino';
import { AccessTokens } from './auth/access-tokens.js';
import { buildThrottles, type ThrottleLimits, type Throttles } from './auth/throttles.js';
import { RefreshTokens } from './auth/refresh-tokens.js';
import { ServiceTokens } from './auth/service-tokens.js';
import { ConfigError, type Config } from './config.js';
import { deriveSecrets, loadOrCreateMasterKey, masterKeyFingerprint, sameFingerprint, type DerivedSecrets } from './crypto/master-key.js';
import { KeyEvents } from './keys/key-events.js';
import { KeyService } from './keys/key-service.js';
import { connectDatabase, migrateToLatest, type DatabaseHandle } from './storage/connect.js';
import { ServerSettingsRepository } from './storage/server-settings.js';
import { camelCased, Storage } from './storage/storage.js';
import type { Admission } from './limits/admission.js';
import { buildAdmissionEngine, type CreditServices } from './limits/build-admission.js';
import { registerLimiterMetrics } from './limits/limit-metrics.js';
import { buildGateway, type Gateway } from './gateway/build-gateway.js';

export interface Services {
  config: Readonly<Config>;
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
  /** The data plane: key cache and its Redis bus, upstream catalog and client, sessions, usage, metrics. */
  gateway: Gateway;
  throttles: Throttles;
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
}

export async function buildServices(config: Readonly<Config>, options: BuildOptions): Promise<Services> {
  const masterKey = config.masterKey ?? loadOrCreateMasterKey(config.dataDir);
  const secrets = deriveSecrets(masterKey);
  const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: options.databaseSchema });
  if (options.migrate ?? true) {
    const applied = await migrateToLatest(database);
    if (applied.length > 0) options.logger.info({ migrations: applied }, 'applied migrations');
  }
  await checkMasterKey(database, secrets);
  const storage = new Storage(database.db);
  const admissionEngine = await buildAdmissionEngine(config, storage, options.logger);
  const keyEvents = new KeyEvents();
  const gateway = await buildGateway({ config, storage, secrets, keyEvents, logger: options.logger });
  registerLimiterMetrics(gateway.metrics.registry, admissionEngine.credits.limiterStatus);
  gateway.metrics.registry.registerMetric(admissionEngine.credits.unpricedRequests);
  return {
    config,
    logger: options.logger,
    database,
    storage,
    secrets,
    accessTokens: new AccessTokens(secrets.derive('jwt-hs256')),
    refreshTokens: new RefreshTokens(storage, secrets.derive('token-hmac')),
    serviceTokens: new ServiceTokens(storage, secrets.derive('token-hmac')),
    keys: new KeyService(storage, secrets, config.keyPrefix),
    keyEvents,
    admission: admissionEngine.admission,
    credits: admissionEngine.credits,
    gateway,
    throttles: buildThrottles(options.throttles),
    async close() {
      // First: flush queued usage and last-use times while storage is still open.
      await gateway.close();
      await admissionEngine.close();
      await database.close();
    },
  };
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
