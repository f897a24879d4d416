// The storage facade: every repository over one Kysely handle, and transactions that hand the
// repositories bound to the transaction. The transactional facade (`StorageTransaction`) has no
// `transaction` method, so opening a transaction inside one is a compile error rather than a
// run-time "nested transaction" failure (Kysely's own `Transaction` still types `.transaction()`).
import { CamelCasePlugin, type Kysely } from 'kysely';
import { AccountsRepository } from './accounts.js';
import { ApiKeysRepository } from './api-keys.js';
import { AuditEventsRepository } from './audit-events.js';
import { AutomationSettingsRepository } from './automation-settings.js';
import { RefreshTokensRepository } from './refresh-tokens.js';
import { ServiceTokensRepository } from './service-tokens.js';
import { MembershipsRepository } from './memberships.js';
import { DirectoryRepository } from './directory.js';
import { AliasesRepository } from './aliases.js';
import { ProvidersRepository } from './providers.js';
import { RoutesRepository } from './routes.js';
import { SessionsRepository } from './sessions.js';
import { UsageRecordsRepository } from './usage-records.js';
import { UsageRollupsRepository } from './usage-rollups.js';
import type { Database, Tables } from './schema.js';
import { UsersRepository } from './users.js';
import { CreditsRepository } from './credits.js';
import { PricesRepository } from './prices.js';
import { AccountLimitsRepository } from './account-limits.js';
import { ServerSettingsRepository } from './server-settings.js';
import { InvitationsRepository } from './invitations.js';
import { StripeEventsRepository } from './stripe-events.js';
import { BudgetsRepository } from './budgets.js';
import { EventsRepository, ExpiringKeysQuery } from './events.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.js';

/** Every repository over one handle: the database itself, or an open transaction. */
export class StorageTransaction {
  readonly users: UsersRepository;
  readonly accounts: AccountsRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly refreshTokens: RefreshTokensRepository;
  readonly automation: AutomationSettingsRepository;
  readonly audit: AuditEventsRepository;
  readonly serviceTokens: ServiceTokensRepository;
  readonly memberships: MembershipsRepository;
  readonly directory: DirectoryRepository;
  readonly credits: CreditsRepository;
  readonly prices: PricesRepository;
  readonly accountLimits: AccountLimitsRepository;
  readonly providers: ProvidersRepository;
  readonly aliases: AliasesRepository;
  readonly routes: RoutesRepository;
  readonly sessions: SessionsRepository;
  readonly usage: UsageRecordsRepository;
  readonly usageRollups: UsageRollupsRepository;
  readonly serverSettings: ServerSettingsRepository;
  readonly invitations: InvitationsRepository;
  readonly stripeEvents: StripeEventsRepository;
  readonly budgets: BudgetsRepository;
  readonly events: EventsRepository;
  readonly expiringKeys: ExpiringKeysQuery;
  readonly webhookEndpoints: WebhookEndpointsRepository;
  readonly webhookDeliveries: WebhookDeliveriesRepository;

  constructor(db: Kysely<Tables>) {
    this.users = new UsersRepository(db);
    this.accounts = new AccountsRepository(db);
    this.apiKeys = new ApiKeysRepository(db);
    this.refreshTokens = new RefreshTokensRepository(db);
    this.automation = new AutomationSettingsRepository(db);
    this.audit = new AuditEventsRepository(db);
    this.serviceTokens = new ServiceTokensRepository(db);
    this.memberships = new MembershipsRepository(db);
    this.directory = new DirectoryRepository(db);
    this.credits = new CreditsRepository(db);
    this.prices = new PricesRepository(db);
    this.accountLimits = new AccountLimitsRepository(db);
    this.providers = new ProvidersRepository(db);
    this.aliases = new AliasesRepository(db);
    this.routes = new RoutesRepository(db);
    this.sessions = new SessionsRepository(db);
    this.usage = new UsageRecordsRepository(db);
    this.usageRollups = new UsageRollupsRepository(db);
    this.serverSettings = new ServerSettingsRepository(db);
    this.invitations = new InvitationsRepository(db);
    this.stripeEvents = new StripeEventsRepository(db);
    this.budgets = new BudgetsRepository(db);
    this.events = new EventsRepository(db);
    this.expiringKeys = new ExpiringKeysQuery(db);
    this.webhookEndpoints = new WebhookEndpointsRepository(db);
    this.webhookDeliveries = new WebhookDeliveriesRepository(db);
  }

}

/**
 * The stored schema seen through CamelCasePlugin: rows come back with camelCase keys and camelCase
 * column names are written as snake_case. Migrations and raw SQL keep using the plain handle.
 */
export function camelCased(db: Kysely<Database>): Kysely<Tables> {
  return db.withPlugin(new CamelCasePlugin()) as unknown as Kysely<Tables>;
}

export class Storage extends StorageTransaction {
  readonly #camel: Kysely<Tables>;

  /** `db` is the plain (snake_case) handle from connectDatabase. */
  constructor(readonly db: Kysely<Database>) {
    const camel = camelCased(db);
    super(camel);
    this.#camel = camel;
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    return this.#camel.transaction().execute((trx) => work(new StorageTransaction(trx)));
  }
}
