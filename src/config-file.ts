// The optional config file (YAML or JSON): what an operator declares up front. `${VAR}` is replaced
// from the environment before parsing. Providers declared here are trusted by the operator, so
// they may point at private addresses (a local Ollama or vLLM).
import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { parseP256PublicKey } from './core/p256-public-key.js';
import { apiEndpointOf, creditsForPayment, isHttpsOrLoopback, MAX_TOP_UP_CREDITS } from './core/top-up-rules.js';
import { hasPriceDecimals, PRICE_DECIMALS } from './core/sub-credits.js';

const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const Limits = Type.Object(
  {
    rpm: Type.Optional(Type.Integer({ minimum: 1 })),
    tpm: Type.Optional(Type.Integer({ minimum: 1 })),
    concurrency: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

export const ConfigFileSchema = Type.Object(
  {
    providers: Type.Array(
      Type.Object(
        {
          id: Id,
          type: Type.Union([Type.Literal('openai'), Type.Literal('http')]),
          base_url: Type.String({ pattern: '^https?://' }),
          api_key: Type.Optional(Type.String()),
          models: Type.Optional(Type.Array(Type.String())),
          /** Reachable as `provider/model` by any key (SPEC §1); off: only through aliases. */
          direct: Type.Boolean({ default: false }),
          /** The chat field this upstream honours for the output cap (default max_completion_tokens). */
          output_cap_field: Type.Optional(Type.Union([Type.Literal('max_completion_tokens'), Type.Literal('max_tokens')])),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    aliases: Type.Array(
      Type.Object(
        {
          name: Type.String({ minLength: 1, maxLength: 128 }),
          strategy: Type.Union([Type.Literal('fallback'), Type.Literal('weighted')], { default: 'fallback' }),
          targets: Type.Array(
            Type.Object(
              { provider: Id, model: Type.String({ minLength: 1 }), weight: Type.Optional(Type.Number({ minimum: 0 })) },
              { additionalProperties: false },
            ),
            { minItems: 1 },
          ),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    routes: Type.Array(
      Type.Object(
        {
          path: Type.String({ pattern: '^/' }),
          provider: Id,
          methods: Type.Array(Type.String(), { default: ['GET'] }),
          cost: Type.Integer({ minimum: 0, default: 0 }),
          scopes: Type.Array(Type.String(), { default: [] }),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    prices: Type.Array(
      Type.Object(
        {
          model: Type.String({ minLength: 1 }),
          /** Credits per million tokens, up to 6 decimals (0.15 is exact: see src/core/sub-credits.ts). */
          input_per_mtok: Type.Number({ minimum: 0, maximum: 999_999_999, default: 0 }),
          output_per_mtok: Type.Number({ minimum: 0, maximum: 999_999_999, default: 0 }),
          per_request: Type.Integer({ minimum: 0, default: 0 }),
          /** Output tokens a credit reservation covers when the client sets no max_tokens. */
          max_output_tokens: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
      { default: [] },
    ),
    pricing: Type.Object(
      {
        /**
         * A call whose target has no price (SPEC §8): free, block (402 model_unpriced) or a ceiling
         * charged per request. Unset: free while no price exists anywhere, block once one does.
         */
        unpriced: Type.Optional(
          Type.Union([
            Type.Literal('free'),
            Type.Literal('block'),
            Type.Object({ ceiling: Type.Integer({ minimum: 1, maximum: 1_000_000_000 }) }, { additionalProperties: false }),
          ]),
        ),
        /** Price server-wide targets no operator priced from the bundled public catalogue (SPEC §8). */
        catalog: Type.Boolean({ default: false }),
        /**
         * Converts the catalogue's dollar prices: 1,000,000 makes one credit a micro-dollar. At most
         * 10^7, so the dearest catalogue price in micro-credits per Mtok stays an exact double.
         */
        credits_per_usd: Type.Integer({ minimum: 1, maximum: 10_000_000, default: 1_000_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Selling credits (README "Selling credits with Stripe"); absent, the top-up routes answer 501. */
    billing: Type.Optional(
      Type.Object(
        {
          stripe: Type.Optional(
            Type.Object(
              {
                /** `sk_…` or a restricted `rk_…` key allowed to write Checkout Sessions; give it as "${STRIPE_SECRET_KEY}". */
                secret_key: Type.String({ minLength: 1 }),
                /** The webhook endpoint's signing secret (`whsec_…`). */
                webhook_secret: Type.String({ minLength: 1 }),
                api_base: Type.String({ default: 'https://api.stripe.com' }),
                /** ISO 4217, lower case, as Stripe writes it. */
                currency: Type.String({ pattern: '^[a-z]{3}$', default: 'usd' }),
                /** Credits per minor unit paid: 10,000 per cent is pricing's 1,000,000 credits per dollar. */
                credits_per_unit: Type.Integer({ minimum: 1, default: 10_000 }),
                /** Bounds of one top-up, in minor units (default 5.00 to 1,000.00). */
                min_amount: Type.Integer({ minimum: 1, default: 500 }),
                max_amount: Type.Integer({ minimum: 1, default: 100_000 }),
                /** Where Checkout sends the payer afterwards; Stripe fills in {CHECKOUT_SESSION_ID}. */
                success_url: Type.String({ minLength: 1 }),
                cancel_url: Type.String({ minLength: 1 }),
                product_name: Type.String({ minLength: 1, maxLength: 200, default: 'API credits' }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Object(
      {
        default: Type.Optional(Limits),
        /** Share of each limit one node enforces alone while Redis is unreachable. */
        fallback_share: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.5 }),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Upstream time limits (the data plane answers 504 upstream_timeout when one is exceeded). */
    upstream: Type.Object(
      {
        connect_timeout_ms: Type.Integer({ minimum: 1, maximum: 600_000, default: 10_000 }),
        // A non-streamed completion sends its headers only when the whole answer is ready.
        first_byte_timeout_ms: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 300_000 }),
        idle_timeout_ms: Type.Integer({ minimum: 1, maximum: 3_600_000, default: 120_000 }),
      },
      { additionalProperties: false, default: {} },
    ),
    automation: Type.Object(
      {
        /** The server default (SPEC §4): on, one hour. */
        default: Type.Object(
          {
            is_enabled: Type.Boolean(),
            session_duration: Type.Integer({ minimum: 60, maximum: 86_400 }),
          },
          { additionalProperties: false, default: { is_enabled: true, session_duration: 3600 } },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** Single sign-on with OpenID Connect (SPEC §12, README "Single sign-on"); no providers: no SSO buttons. */
    sso: Type.Object(
      {
        providers: Type.Array(
          Type.Object(
            {
              /** In the sign-in and callback paths: /api/v1/auth/sso/{id}/start. */
              id: Id,
              /** The issuer identifier; its /.well-known/openid-configuration is read on first use. */
              issuer: Type.String({ minLength: 1 }),
              client_id: Type.String({ minLength: 1 }),
              /** Give it as "${VAR}": the config file is not the place for the secret itself. */
              client_secret: Type.String({ minLength: 1 }),
              /** Only emails at these domains may sign in (exact domain, case-insensitive); absent: any. */
              allowed_email_domains: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$', maxLength: 253 }), { minItems: 1 })),
              /** The button's label; the id when absent. */
              name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            },
            { additionalProperties: false },
          ),
          { default: [] },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    /** GitHub's secret scanning partner reports (SPEC §10); no keys: the endpoint answers 404. */
    secret_scanning: Type.Object(
      {
        github: Type.Object(
          {
            /** GitHub's ECDSA P-256 public keys (PEM) by identifier, from https://api.github.com/meta/public_keys/secret_scanning. */
            public_keys: Type.Array(
              Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }), key: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
              { default: [] },
            ),
          },
          { additionalProperties: false, default: {} },
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type ConfigFile = Static<typeof ConfigFileSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Replaces `${VAR}` with the variable's value; an unset variable is an error naming it. */
export function interpolate(text: string, env: Record<string, string | undefined>, source: string): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = env[name];
    if (value === undefined) throw new ConfigError(`${source}: \${${name}} is not set in the environment`);
    return value;
  });
}

export function parseConfigFile(text: string, source: string, env: Record<string, string | undefined>): ConfigFile {
  let raw: unknown;
  try {
    raw = parseYaml(interpolate(text, env, source)) ?? {};
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`${source}: not valid YAML or JSON: ${(error as Error).message}`);
  }
  const withDefaults = Value.Default(ConfigFileSchema, structuredClone(raw));
  const first = Value.Errors(ConfigFileSchema, withDefaults).First();
  if (first) throw new ConfigError(`${source}: setting ${first.path || '/'} ${first.message}`);
  const file = withDefaults as ConfigFile;
  const problem = referenceProblem(file) ?? billingProblem(file) ?? ssoProblem(file);
  if (problem) throw new ConfigError(`${source}: ${problem}`);
  return file;
}

/**
 * What the schema cannot see: entries that name each other. A duplicate provider id or an alias
 * or route aiming at a provider that is not there would otherwise pass start-up and fail at
 * request time (502/503), so they are refused here, naming the entry.
 */
function referenceProblem(file: ConfigFile): string | null {
  const firstIndex = new Map<string, number>();
  for (const [index, provider] of file.providers.entries()) {
    const earlier = firstIndex.get(provider.id);
    if (earlier !== undefined) return `providers[${index}]: the id "${provider.id}" is already used by providers[${earlier}]`;
    firstIndex.set(provider.id, index);
  }
  const declared = file.providers.map((p) => p.id).join(', ') || 'none';
  const unknown = (id: string) => `provider "${id}" is not declared (declared: ${declared})`;
  const typeOf = (id: string) => file.providers.find((p) => p.id === id)?.type;
  for (const [index, alias] of file.aliases.entries()) {
    for (const [t, target] of alias.targets.entries()) {
      const type = typeOf(target.provider);
      if (type === undefined) return `aliases[${index}].targets[${t}]: ${unknown(target.provider)}`;
      if (type !== 'openai') return `aliases[${index}].targets[${t}]: provider "${target.provider}" is of type ${type}; aliases need an openai provider`;
    }
  }
  for (const [index, price] of file.prices.entries()) {
    for (const field of ['input_per_mtok', 'output_per_mtok'] as const) {
      if (!hasPriceDecimals(price[field])) return `prices[${index}].${field}: at most ${PRICE_DECIMALS} decimal places (a price is exact to the micro-credit per Mtok)`;
    }
  }
  for (const [index, route] of file.routes.entries()) {
    const type = typeOf(route.provider);
    if (type === undefined) return `routes[${index}]: ${unknown(route.provider)}`;
    if (type !== 'http') return `routes[${index}]: provider "${route.provider}" is of type ${type}; routes need an http provider`;
  }
  return publicKeyProblem(file.secret_scanning.github.public_keys);
}

/** GitHub's keys are parsed here once so a bad PEM stops start-up instead of failing every report. */
function publicKeyProblem(keys: ConfigFile['secret_scanning']['github']['public_keys']): string | null {
  const seen = new Map<string, number>();
  for (const [index, entry] of keys.entries()) {
    const where = `secret_scanning.github.public_keys[${index}] (id "${entry.id}")`;
    const earlier = seen.get(entry.id);
    if (earlier !== undefined) return `${where}: the id is already used by secret_scanning.github.public_keys[${earlier}]`;
    seen.set(entry.id, index);
    const parsed = parseP256PublicKey(entry.key);
    if (!parsed.ok) return `${where}: the key ${parsed.problem}`;
  }
  return null;
}

/** What the billing schema cannot say: URLs that may carry a secret or a payer, and bounds that fit together. */
function billingProblem(file: ConfigFile): string | null {
  const stripe = file.billing?.stripe;
  if (!stripe) return null;
  if (!apiEndpointOf(stripe.api_base)) return 'billing.stripe.api_base must be an https:// origin with no path (http:// only to localhost)';
  for (const name of ['success_url', 'cancel_url'] as const) {
    if (!isHttpsOrLoopback(stripe[name])) return `billing.stripe.${name} must be an https:// URL (http:// only to localhost)`;
  }
  if (stripe.min_amount > stripe.max_amount) return 'billing.stripe.min_amount must not exceed max_amount';
  if (creditsForPayment(stripe.max_amount, stripe.credits_per_unit) > MAX_TOP_UP_CREDITS) {
    return `billing.stripe: max_amount × credits_per_unit must not exceed ${MAX_TOP_UP_CREDITS} credits`;
  }
  return null;
}

/**
 * SSO providers: ids are path segments and must be unique, and an issuer is where a user's
 * identity comes from, so it is https (plain http only to this machine, for a local test issuer).
 */
function ssoProblem(file: ConfigFile): string | null {
  const seen = new Map<string, number>();
  for (const [index, provider] of file.sso.providers.entries()) {
    const where = `sso.providers[${index}]`;
    const earlier = seen.get(provider.id);
    if (earlier !== undefined) return `${where}: the id "${provider.id}" is already used by sso.providers[${earlier}]`;
    seen.set(provider.id, index);
    if (!isHttpsOrLoopback(provider.issuer) || /[?#]/.test(provider.issuer)) {
      return `${where}.issuer must be an https:// URL without query or fragment (http:// only to localhost) (got ${JSON.stringify(provider.issuer)})`;
    }
  }
  return null;
}

export function readConfigFile(path: string, env: Record<string, string | undefined>): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`TOLLGATE_CONFIG: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  return parseConfigFile(text, path, env);
}
