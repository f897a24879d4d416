// Table types for Kysely. One schema serves SQLite and PostgreSQL: timestamps are ISO 8601 UTC
// strings (always written by `new Date().toISOString()`, so text order is time order), booleans
// are 0/1 integers and lists are JSON text. That keeps one code path and one contract suite for
// both dialects. `Database` is the stored (snake_case) schema that migrations and raw SQL see;
// repositories see `Tables`, the same tables with camelCase columns through Kysely's CamelCasePlugin.
// The table types live by room in tables/.

import type { AccountsTable, AuditEventsTable, InvitationsTable, MembershipsTable, RefreshTokensTable, ServerSettingsTable, ServiceTokensTable, UsersTable } from './tables/accounts-tables.js';
import type { ApiKeysTable, AutomationSettingsTable, SessionsTable } from './tables/keys-tables.js';
import type { AliasesTable, ProvidersTable, RoutesTable } from './tables/catalog-tables.js';
import type { AccountLimitsTable, BudgetHoldsTable, BudgetSpendTable, BudgetsTable, CreditBalancesTable, CreditLedgerTable, CreditReservationsTable, PricesTable, StripeEventsTable, UsageAccountRollupsHourlyTable, UsageRecordsTable, UsageRollupsHourlyTable } from './tables/money-tables.js';
import type { EventOncesTable, EventsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from './tables/events-tables.js';

/** The two SQL databases one schema serves (migrations branch on it where their SQL differs). */
export type Dialect = 'sqlite' | 'postgres';

export type { Bool } from './tables/columns.js';

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
