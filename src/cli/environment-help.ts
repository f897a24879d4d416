// The environment `tollgate serve` reads, for `tollgate serve --help` (the README's table, in the
// terminal where it is needed). Every name here is read by src/config.ts and nowhere else.
const VARIABLES: Array<[string, string]> = [
  ['TOLLGATE_HOST', 'address to listen on (default 127.0.0.1; 0.0.0.0 exposes every interface)'],
  ['TOLLGATE_PORT', 'port to listen on (default 8080; 0 picks a free one)'],
  ['TOLLGATE_DATA_DIR', 'SQLite database and master key file (default ./.tollgate)'],
  ['TOLLGATE_CONFIG', 'config file, YAML or JSON (default ./tollgate.yaml when it exists)'],
  ['TOLLGATE_DATABASE_URL', 'postgres://… to use PostgreSQL instead of the embedded SQLite'],
  ['TOLLGATE_REDIS_URL', 'redis://… to share rate limits and key revocations across nodes'],
  ['TOLLGATE_MASTER_KEY', '32 bytes, base64 or hex; otherwise read from (or created in) the data dir'],
  ['TOLLGATE_KEY_PREFIX', 'prefix of minted API keys (default tg)'],
  ['TOLLGATE_KEY_RECOVERY', 'on|off: keep an encrypted copy so a user can reveal their default key (default on)'],
  ['TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL', 'make this user an operator at start'],
  ['TOLLGATE_ADMIN_ALLOWED_ROLES', 'roles that may use /admin (default owner,admin,member)'],
  ['TOLLGATE_ALLOW_PRIVATE_UPSTREAMS', 'on: let accounts point providers at private addresses (default off)'],
  ['TOLLGATE_TRUST_PROXY', 'proxies whose X-Forwarded-For is believed (addresses, CIDRs, or a hop count)'],
  ['TOLLGATE_METRICS_TOKEN', 'bearer token for /metrics; unset, /metrics answers loopback clients only'],
  ['TOLLGATE_LOG_LEVEL', 'fatal|error|warn|info|debug|trace|silent (default info)'],
  ['TOLLGATE_LOG_FORMAT', 'json|pretty|auto: readable lines on a terminal, JSON otherwise (default auto)'],
  ['TOLLGATE_BODY_LIMIT_BYTES', 'largest request body (default 1048576)'],
  ['TOLLGATE_REQUEST_TIMEOUT_MS', 'time to receive a whole request (default 30000)'],
  ['OTEL_EXPORTER_OTLP_ENDPOINT', 'switches OpenTelemetry tracing on (OTLP over HTTP); OTEL_SERVICE_NAME names it'],
];

export function environmentHelp(): string {
  const width = Math.max(...VARIABLES.map(([name]) => name.length));
  return ['', 'Environment:', ...VARIABLES.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`)].join('\n');
}

/** Every variable the help names (a test holds it to what config.ts reads). */
export const ENVIRONMENT_VARIABLES = VARIABLES.map(([name]) => name);
