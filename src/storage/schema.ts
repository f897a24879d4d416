// Table types for Kysely. One schema serves SQLite and PostgreSQL: timestamps are ISO 8601 UTC
// strings (always written by `new Date().toISOString()`, so text order is time order), booleans
// are 0/1 integers and lists are JSON text. That keeps one code path and one contract suite for
// both dialects. `Database` is the stored (snake_case) schema that migrations and raw SQL see;
// repositories see `Tables`, the same tables with camelCase columns through Kysely's CamelCasePlugin.
import type { Generated } from 'kysely';

/** The two SQL databases one schema serves (migrations branch on it where their SQL differs). */
export type Dialect = 'sqlite' | 'postgres';

export type Bool = 0 | 1;

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  password_hash: string;
  is_active: Bool;
  is_operator: Bool;
  /** Incremented by a password change: access tokens carry it and older ones stop working. */
  token_version: number;
  created_at: string;
  updated_at: string;
}

export interface AccountsTable {
  id: string;
  name: string;
  kind: 'personal' | 'team';
  created_at: string;
  updated_at: string;
}

export interface MembershipsTable {
  account_id: string;
  user_id: string;
  role: 'owner' | 'admin' | 'member';
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  created_by: string | null;
  kind: 'personal' | 'org';
  name: string | null;
  key_prefix: string;
  environment: 'live' | 'test';
  secret_hash: string;
  encrypted_key: string | null;
  expires_at: string | null;
  allowed_origins: string;
  scopes: string;
  models: string | null;
  rate_limit: string | null;
  allowed_ips: string;
  metadata: string;
  is_default: Bool;
  rotated_from: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface RefreshTokensTable {
  id: string;
  user_id: string;
  family_id: string;
  token_hash: string;
  created_at: string;
  expires_at: string;
  rotated_at: string | null;
  replaced_by: string | null;
  revoked_at: string | null;
}

export interface AutomationSettingsTable {
  user_id: string;
  is_enabled: Bool;
  session_duration: number;
  created_at: string;
  updated_at: string;
}

export interface AuditEventsTable {
  id: string;
  seq: Generated<number>;
  account_id: string | null;
  actor_type: 'user' | 'service_token' | 'api_key' | 'system';
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  data: string | null;
  request_id: string | null;
  created_at: string;
}

export interface ServiceTokensTable {
  id: string;
  account_id: string;
  created_by: string | null;
  name: string;
  token_prefix: string;
  token_hash: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Upstreams; account_id null = server-wide (operators). The secret is sealed, never returned. */
export interface ProvidersTable {
  id: string;
  account_id: string | null;
  name: string;
  type: 'openai' | 'http';
  base_url: string;
  encrypted_secret: string | null;
  models: string | null;
  /** 0/1: a server-wide provider reachable as `provider/model` (migration 007). */
  direct: Generated<Bool>;
  /** Migration 008: the chat output-cap field the upstream honours (null: max_completion_tokens). */
  output_cap_field: 'max_completion_tokens' | 'max_tokens' | null;
  created_at: string;
  updated_at: string;
}

export interface AliasesTable {
  id: string;
  account_id: string | null;
  name: string;
  strategy: 'fallback' | 'weighted';
  targets: string;
  created_at: string;
  updated_at: string;
}

export interface RoutesTable {
  id: string;
  account_id: string | null;
  path: string;
  provider: string;
  methods: string;
  scopes: string;
  cost: number;
  created_at: string;
  updated_at: string;
}

export interface SessionsTable {
  id: string;
  account_id: string;
  key_id: string;
  model: string;
  provider: string;
  target_model: string;
  failovers: number;
  created_at: string;
  expires_at: string;
  ended_at: string | null;
}

export interface UsageRecordsTable {
  id: string;
  request_id: string;
  account_id: string;
  key_id: string;
  model: string | null;
  route: string | null;
  provider: string | null;
  target_model: string | null;
  session_id: string | null;
  status: number;
  outcome: string;
  input_tokens: number;
  output_tokens: number;
  credits: number;
  latency_ms: number;
  failovers: number;
  day: string;
  created_at: string;
  /** The caller's X-Request-Id (migration 006); null when none was sent. */
  client_request_id: string | null;
  /** The price charged at, as decimal text, and where it came from (migration 014); null: none. */
  price_source: string | null;
  price_input_per_mtok: string | null;
  price_output_per_mtok: string | null;
  price_per_request: string | null;
  /** The request's exact price in credits, as decimal text (the whole credits are `credits`). */
  exact_cost: string | null;
}

/** What the usage records of one hour add up to (migration 015); `model` is '' for neither model nor route. */
export interface UsageRollupCounters {
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  credits: number;
  /** The exact price in sub-credit units (10^12 to the credit); written and read as decimal text, as it outgrows a double. */
  credit_units: string;
}

export interface UsageRollupsHourlyTable extends UsageRollupCounters {
  account_id: string;
  hour: string;
  key_id: string;
  model: string;
}

export interface UsageAccountRollupsHourlyTable extends UsageRollupCounters {
  account_id: string;
  hour: string;
  model: string;
}

// Deployment-wide facts written once, e.g. the master key's fingerprint (migration 006).
export interface ServerSettingsTable {
  name: string;
  value: string;
  created_at: string;
}

// Credits, prices and limit overrides (migration 004-credits).
export interface CreditBalancesTable {
  account_id: string;
  balance: number;
  reserved: number;
  updated_at: string;
  /** Sub-credit units used but not yet charged, in [0, 10^12) (migration 014). */
  carry: Generated<number>;
}

export interface CreditLedgerTable {
  seq: Generated<number>;
  id: string;
  account_id: string;
  amount: number;
  kind: 'grant' | 'debit' | 'usage';
  balance_after: number;
  request_id: string | null;
  idempotency_key: string | null;
  fingerprint: string | null;
  actor_id: string | null;
  reason: string | null;
  created_at: string;
}

/** A Stripe event that granted credits (migration 011): one per event, one per Checkout Session. */
export interface StripeEventsTable {
  event_id: string;
  event_type: string;
  session_id: string;
  account_id: string;
  ledger_entry_id: string;
  amount_total: number;
  currency: string;
  credits: number;
  created_at: string;
}

export interface CreditReservationsTable {
  id: string;
  account_id: string;
  amount: number;
  request_id: string | null;
  created_at: string;
  expires_at: string;
}

export interface PricesTable {
  target_kind: 'model' | 'route';
  target: string;
  input_per_mtok: number;
  output_per_mtok: number;
  per_request: number;
  max_output_tokens: number | null;
  created_at: string;
  updated_at: string;
  /** Exact prices in micro-credits per Mtok (migration 014); the columns above are their round-up. */
  input_micros_per_mtok: number;
  output_micros_per_mtok: number;
}

export interface AccountLimitsTable {
  account_id: string;
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  updated_at: string;
}

// Invitations to team accounts (migration 005-invitations).
export interface InvitationsTable {
  id: string;
  account_id: string;
  /** Lower-case. */
  email: string;
  role: 'owner' | 'admin' | 'member';
  invited_by: string | null;
  status: 'pending' | 'accepted' | 'declined' | 'withdrawn';
  created_at: string;
  expires_at: string;
  responded_at: string | null;
  responded_by: string | null;
}

// Budgets, their spend per period and each reservation's holds (migration 013-budgets).
export interface BudgetsTable {
  scope: 'key' | 'account';
  owner_id: string;
  account_id: string;
  credit_limit: number;
  period: 'day' | 'week' | 'month' | 'total';
  time_zone: string;
  created_at: string;
  updated_at: string;
}

export interface BudgetSpendTable {
  scope: 'key' | 'account';
  owner_id: string;
  period_start: string;
  spent: number;
  reserved: number;
  announced: number;
  updated_at: string;
}

export interface BudgetHoldsTable {
  reservation_id: string;
  scope: 'key' | 'account';
  owner_id: string;
  period_start: string;
  amount: number;
}

// Events and webhooks (migration 012-webhooks, SPEC §9).
export interface WebhookEndpointsTable {
  id: string;
  account_id: string;
  url: string;
  /** JSON list of event types. */
  events: string;
  /** credits.low fires when the balance falls below this (null: no credits.low threshold). */
  threshold: number | null;
  description: string | null;
  /** The signing secret, sealed under the master key (never returned after creation). */
  encrypted_secret: string;
  created_at: string;
  updated_at: string;
}

export interface EventsTable {
  id: string;
  account_id: string;
  type: string;
  /** JSON object. */
  data: string;
  created_at: string;
}

export interface WebhookDeliveriesTable {
  /** The message id, sent as webhook-id on every attempt. */
  id: string;
  endpoint_id: string;
  event_id: string;
  account_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  /** Attempts made so far. */
  attempt: number;
  response_status: number | null;
  /** A short, secret-free reason for the last failure (timeout, connect, blocked, http_500…). */
  last_error: string | null;
  next_attempt_at: string | null;
  leased_until: string | null;
  lease_owner: string | null;
  created_at: string;
  updated_at: string;
}

/** One row per notice that must go out once: key expiry warnings, model.unpriced per hour. */
export interface EventOncesTable {
  key: string;
  until: string;
  created_at: string;
}

export interface Database {
  users: UsersTable;
  accounts: AccountsTable;
  memberships: MembershipsTable;
  api_keys: ApiKeysTable;
  refresh_tokens: RefreshTokensTable;
  automation_settings: AutomationSettingsTable;
  audit_events: AuditEventsTable;
  service_tokens: ServiceTokensTable;
  providers: ProvidersTable;
  aliases: AliasesTable;
  routes: RoutesTable;
  sessions: SessionsTable;
  usage_records: UsageRecordsTable;
  usage_rollups_hourly: UsageRollupsHourlyTable;
  usage_account_rollups_hourly: UsageAccountRollupsHourlyTable;
  credit_balances: CreditBalancesTable;
  credit_ledger: CreditLedgerTable;
  credit_reservations: CreditReservationsTable;
  prices: PricesTable;
  account_limits: AccountLimitsTable;
  server_settings: ServerSettingsTable;
  invitations: InvitationsTable;
  stripe_events: StripeEventsTable;
  budgets: BudgetsTable;
  budget_spend: BudgetSpendTable;
  budget_holds: BudgetHoldsTable;
  webhook_endpoints: WebhookEndpointsTable;
  events: EventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  event_onces: EventOncesTable;
}

type CamelKey<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<CamelKey<Tail>>}` : S;
type CamelColumns<T> = { [K in keyof T as K extends string ? CamelKey<K> : K]: T[K] };

/** The schema through CamelCasePlugin: table names unchanged, `account_id` read and written as `accountId`. */
export type Tables = { [T in keyof Database]: CamelColumns<Database[T]> };
