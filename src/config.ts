// The only reader of the environment. Parses TOLLGATE_* variables and the optional config file
// once into a deep-frozen, typed Config with every default resolved (the file's through its schema),
// so no module writes `?? default`; a bad value stops start-up with a message naming the setting.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, parseConfigFile, readConfigFile, type ConfigFile } from './config-file.js';
import { deepFreeze, type DeepReadonly } from './core/deep-freeze.js';
import { KEY_PREFIX_PATTERN } from './core/key-format.js';
import { ROLES, type Role } from './core/roles.js';
import { parseTrustProxy, type TrustProxy } from './core/trust-proxy.js';
import { unpricedSetting, type UnpricedSetting } from './credits/unpriced-policy.js';

export { ConfigError } from './config-file.js';


/** The settings as parsed; a node sees them only as `Config`, deep-frozen and typed read-only all the way down. */
interface ConfigFields {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** 32 raw bytes, when given by TOLLGATE_MASTER_KEY; otherwise read from (or created in) dataDir. */
  masterKey: Buffer | undefined;
  configPath: string | undefined;
  keyPrefix: string;
  keyRecovery: boolean;
  adminAllowedRoles: readonly Role[];
  allowPrivateUpstreams: boolean;
  bootstrapOperatorEmail: string | undefined;
  /** TOLLGATE_TRUST_PROXY: proxies whose X-Forwarded-For is believed (undefined: none). */
  trustProxy: TrustProxy | undefined;
  logLevel: string;
  /** TOLLGATE_LOG_FORMAT: `json`, `pretty`, or `auto` (pretty when standard output is a terminal). */
  logFormat: LogFormat;
  bodyLimitBytes: number;
  /** Time to receive a whole request, headers and body (Node's requestTimeout); 408 after it. */
  requestTimeoutMs: number;
  /** Bearer token for /metrics; unset, /metrics answers loopback clients only. */
  metricsToken: string | undefined;
  file: ConfigFile;
  /** The config file's pricing.unpriced, with SPEC §8's default resolved (free until any price exists). */
  unpriced: UnpricedSetting;
  /** OpenTelemetry tracing (SPEC §12); undefined when it is off. */
  tracing: TracingConfig | undefined;
  /** The config file's sso.providers with their defaults resolved (SPEC §12); empty: no SSO. */
  ssoProviders: SsoProviderSettings[];
}

/** One OpenID Connect issuer users may sign in with. */
export interface SsoProviderSettings {
  id: string;
  /** The button's label (the id when the file gives none). */
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Lower-cased domains an email must belong to; null: any domain. */
  allowedEmailDomains: readonly string[] | null;
}

/** The `service.name` of Tollgate's spans when OTEL_SERVICE_NAME is unset. */
export const DEFAULT_SERVICE_NAME = 'tollgate';

export interface TracingConfig {
  /** OTEL_SERVICE_NAME, the `service.name` of every span. */
  serviceName: string;
}

export type Config = DeepReadonly<ConfigFields>;

export type LogFormat = 'json' | 'pretty' | 'auto';

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function bool(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new ConfigError(`${name} must be on or off (got ${JSON.stringify(env[name])})`);
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function masterKeyFrom(env: Env): Buffer | undefined {
  const raw = env.TOLLGATE_MASTER_KEY?.trim();
  if (!raw) return undefined;
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length !== 32 || bytes.toString('base64').replace(/=+$/, '') !== raw.replace(/=+$/, '')) {
    throw new ConfigError('TOLLGATE_MASTER_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)');
  }
  return bytes;
}

function metricsTokenFrom(env: Env): string | undefined {
  const raw = env.TOLLGATE_METRICS_TOKEN?.trim();
  if (!raw) return undefined;
  if (raw.length < 16) throw new ConfigError('TOLLGATE_METRICS_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 32`)');
  return raw;
}

function databaseUrlFrom(env: Env): string | undefined {
  const raw = env.TOLLGATE_DATABASE_URL?.trim();
  if (!raw) return undefined;
  if (!/^postgres(ql)?:\/\//.test(raw)) throw new ConfigError('TOLLGATE_DATABASE_URL must be a postgres:// URL (unset it for SQLite)');
  return raw;
}

function redisUrlFrom(env: Env): string | undefined {
  const raw = env.TOLLGATE_REDIS_URL?.trim();
  if (!raw) return undefined;
  if (!/^rediss?:\/\//.test(raw)) throw new ConfigError('TOLLGATE_REDIS_URL must be a redis:// or rediss:// URL');
  return raw;
}

function rolesFrom(env: Env): Role[] {
  const raw = env.TOLLGATE_ADMIN_ALLOWED_ROLES?.trim();
  if (!raw) return [...ROLES];
  const roles = raw.split(',').map((r) => r.trim()).filter(Boolean);
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`TOLLGATE_ADMIN_ALLOWED_ROLES: unknown role ${JSON.stringify(role)} (owner, admin, member)`);
    }
  }
  // The owner is always allowed (SPEC §3).
  return [...new Set<Role>(['owner', ...(roles as Role[])])];
}

function ssoProvidersFrom(file: ConfigFile): SsoProviderSettings[] {
  return file.sso.providers.map((p) => ({
    id: p.id,
    name: p.name ?? p.id,
    issuer: p.issuer,
    clientId: p.client_id,
    clientSecret: p.client_secret,
    allowedEmailDomains: p.allowed_email_domains?.map((domain) => domain.toLowerCase()) ?? null,
  }));
}

function trustProxyFrom(env: Env): TrustProxy | undefined {
  const parsed = parseTrustProxy(env.TOLLGATE_TRUST_PROXY);
  if (!parsed.ok) throw new ConfigError(`TOLLGATE_TRUST_PROXY: ${parsed.problem}`);
  return parsed.value;
}

/**
 * Tracing is on when an OTLP endpoint is set, unless the OpenTelemetry environment switches it off
 * (OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none). Only the decision and the service name are
 * read here: the exporter and the SDK read their own standard variables (endpoint, headers,
 * timeout, sampler), as every OpenTelemetry SDK does.
 */
function tracingFrom(env: Env): TracingConfig | undefined {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!endpoint || env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  if (exporters.includes('none')) return undefined;
  const other = exporters.find((name) => name !== 'otlp');
  if (other) throw new ConfigError(`OTEL_TRACES_EXPORTER: Tollgate exports traces with otlp only (got ${JSON.stringify(other)}; use otlp or none)`);
  if (!/^https?:\/\/[^/]/.test(endpoint)) throw new ConfigError('OTEL_EXPORTER_OTLP_ENDPOINT (or _TRACES_ENDPOINT) must be an http:// or https:// URL');
  // The exporter speaks OTLP over HTTP (JSON bodies); a gRPC endpoint would refuse every export.
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() || env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim())?.toLowerCase();
  if (protocol === 'grpc') throw new ConfigError('OTEL_EXPORTER_OTLP_PROTOCOL: Tollgate exports OTLP over HTTP (http/json), not grpc; point it at the collector\'s HTTP port (4318)');
  return { serviceName: env.OTEL_SERVICE_NAME?.trim() || DEFAULT_SERVICE_NAME };
}

export interface LoadOptions {
  /**
   * false: leave the config file unread (the schema's defaults), for commands that manage users, keys
   * and credits, which need the database and the master key but none of the file's providers — so a
   * `${VAR}` the server needs is not demanded of an operator who only grants credits.
   */
  readFile?: boolean;
}

export function loadConfig(env: Env, cwd: string, options: LoadOptions = {}): Config {
  const keyPrefix = env.TOLLGATE_KEY_PREFIX?.trim() || 'tg';
  if (!KEY_PREFIX_PATTERN.test(keyPrefix)) {
    throw new ConfigError('TOLLGATE_KEY_PREFIX must be 1–12 lower-case letters or digits, starting with a letter');
  }
  const logLevel = env.TOLLGATE_LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`TOLLGATE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const logFormat = (env.TOLLGATE_LOG_FORMAT?.trim().toLowerCase() || 'auto') as LogFormat;
  if (!['json', 'pretty', 'auto'].includes(logFormat)) throw new ConfigError('TOLLGATE_LOG_FORMAT must be json, pretty or auto');
  const recovery = env.TOLLGATE_KEY_RECOVERY?.trim();
  if (recovery && !['on', 'off'].includes(recovery)) throw new ConfigError('TOLLGATE_KEY_RECOVERY must be on or off');

  const explicitConfig = env.TOLLGATE_CONFIG?.trim();
  const defaultConfig = resolve(cwd, 'tollgate.yaml');
  const found = explicitConfig ? resolve(cwd, explicitConfig) : existsSync(defaultConfig) ? defaultConfig : undefined;
  const configPath = options.readFile === false ? undefined : found;
  // No file: the schema's defaults alone, resolved by the same parser.
  const file = configPath ? readConfigFile(configPath, env) : parseConfigFile('{}', 'defaults', env);

  const bootstrap = env.TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL?.trim().toLowerCase();
  // A fresh object of our own, frozen all the way down (Kysely's habit: freeze({ ...config })).
  return deepFreeze({
    host: env.TOLLGATE_HOST?.trim() || '127.0.0.1',
    port: integer(env, 'TOLLGATE_PORT', 8080, 0, 65_535),
    dataDir: resolve(cwd, env.TOLLGATE_DATA_DIR?.trim() || '.tollgate'),
    databaseUrl: databaseUrlFrom(env),
    redisUrl: redisUrlFrom(env),
    masterKey: masterKeyFrom(env),
    configPath,
    keyPrefix,
    keyRecovery: recovery !== 'off',
    adminAllowedRoles: rolesFrom(env),
    allowPrivateUpstreams: bool(env, 'TOLLGATE_ALLOW_PRIVATE_UPSTREAMS', false),
    bootstrapOperatorEmail: bootstrap || undefined,
    trustProxy: trustProxyFrom(env),
    logLevel,
    logFormat,
    bodyLimitBytes: integer(env, 'TOLLGATE_BODY_LIMIT_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    requestTimeoutMs: integer(env, 'TOLLGATE_REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    metricsToken: metricsTokenFrom(env),
    file,
    unpriced: unpricedSetting(file.pricing?.unpriced),
    tracing: tracingFrom(env),
    ssoProviders: ssoProvidersFrom(file),
  });
}
