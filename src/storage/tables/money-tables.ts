// Table types (stored, snake_case columns) of money: usage records, balances and the credit ledger,
// reservations, prices, limit overrides, budgets and Stripe grants.
import type { Generated } from 'kysely';

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
