// Builds a real Tollgate (real storage, real services, the real Fastify app) for a test, on SQLite
// in a temporary directory or on PostgreSQL in a schema of its own, with logs captured.
import { randomBytes } from 'node:crypto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import type { Passwords } from '../../src/auth/passwords.js';
import type { ThrottleLimits } from '../../src/auth/throttles.js';
import { buildServices, type Services } from '../../src/services.js';
import { releaseSchema, uniqueSchema, type DatabaseTarget } from './databases.js';
import { logSink, rememberSecret } from './log-capture.js';

export interface TestGateway {
  app: App;
  services: Services;
  dataDir: string;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  target?: DatabaseTarget;
  env?: Record<string, string>;
  /** Share a PostgreSQL schema and master key between nodes of one deployment. */
  shared?: { schema: string; masterKey: string; dataDir: string };
  /** Attempt budgets; by default registration is not throttled, as suites sign up ~100 users from 127.0.0.1. */
  throttles?: Partial<ThrottleLimits>;
  /** Password hashing other than argon2id's own (a test counts the checks). */
  passwords?: Passwords;
  /** Tracing on, each span handed to this exporter as it ends (an InMemorySpanExporter). */
  spanExporter?: SpanExporter;
  /** The clock of budget periods, events and webhook deliveries (tests drive it). */
  clock?: () => Date;
  /** Credits claimed through storage transactions even on SQLite (stored reservations, the sweeper). */
  storageCredits?: boolean;
}

const SUITE_THROTTLES: Partial<ThrottleLimits> = { registrationPerAddress: { max: 100_000, windowMs: 60_000 } };

export function newMasterKey(): string {
  return randomBytes(32).toString('base64');
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const dataDir = options.shared?.dataDir ?? mkdtempSync(join(tmpdir(), 'tollgate-test-'));
  const target = options.target ?? { name: 'sqlite', databaseUrl: undefined };
  const schema = target.databaseUrl ? (options.shared?.schema ?? uniqueSchema()) : undefined;
  const config = loadConfig(
    {
      TOLLGATE_DATA_DIR: dataDir,
      TOLLGATE_MASTER_KEY: options.shared?.masterKey ?? newMasterKey(),
      TOLLGATE_LOG_LEVEL: 'debug',
      ...(target.databaseUrl ? { TOLLGATE_DATABASE_URL: target.databaseUrl } : {}),
      ...options.env,
    },
    dataDir,
  );
  const services = await buildServices(config, {
    logger: createLogger('debug', logSink()),
    databaseSchema: schema,
    throttles: options.throttles ?? SUITE_THROTTLES,
    ...(options.passwords ? { passwords: options.passwords } : {}),
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.storageCredits ? { storageCredits: true } : {}),
  });
  const app = await buildApp(services);
  await app.ready();
  return {
    app,
    services,
    dataDir,
    async close() {
      await app.close();
      await services.close();
      if (!options.shared) {
        if (target.databaseUrl && schema) await releaseSchema(target.databaseUrl, schema);
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export interface SignedIn {
  userId: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  auth: { authorization: string };
}

let counter = 0;
/** Registers a fresh user and signs in. */
export async function signUp(app: App, overrides: { email?: string; password?: string; name?: string } = {}): Promise<SignedIn> {
  const email = overrides.email ?? `user${++counter}-${randomBytes(3).toString('hex')}@example.com`;
  const password = overrides.password ?? `pw-${randomBytes(8).toString('hex')}`;
  rememberSecret(password);
  const registered = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password, name: overrides.name ?? 'Test User' } });
  if (registered.statusCode !== 201) throw new Error(`register failed: ${registered.statusCode} ${registered.body}`);
  const login = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
  const tokens = login.json() as { access_token: string; refresh_token: string };
  rememberSecret(tokens.access_token, tokens.refresh_token);
  return {
    userId: registered.json().id,
    email,
    password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    auth: { authorization: `Bearer ${tokens.access_token}` },
  };
}

/** Creates a personal key and returns the creation response (key remembered as a secret). */
export async function createKey(app: App, user: SignedIn, body: Record<string, unknown> = {}): Promise<{ id: string; key: string; key_prefix: string } & Record<string, unknown>> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: user.auth, payload: { name: 'test', ...body } });
  if (response.statusCode !== 201) throw new Error(`create key failed: ${response.statusCode} ${response.body}`);
  const created = response.json();
  rememberSecret(created.key);
  return created;
}
