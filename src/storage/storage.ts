// The storage facade: every repository over one Kysely handle, and transactions that hand the
// repositories bound to the transaction. The transactional facade (`StorageTransaction`) has no
// `transaction` method, so opening a transaction inside one is a compile error rather than a
// run-time "nested transaction" failure (Kysely's own `Transaction` still types `.transaction()`).
import { CamelCasePlugin, CompiledQuery, PostgresAdapter, type Kysely } from 'kysely';
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

/**
 * Every repository over one handle: the database itself, or an open transaction. Repositories are
 * built on first use, so a transaction that touches two of them builds two, not all of them (a
 * priced request opens transactions on the hot path).
 */
export class StorageTransaction {
  readonly #db: Kysely<Tables>;

  #users?: UsersRepository;
  #accounts?: AccountsRepository;
  #apiKeys?: ApiKeysRepository;
  #refreshTokens?: RefreshTokensRepository;
  #automation?: AutomationSettingsRepository;
  #audit?: AuditEventsRepository;
  #serviceTokens?: ServiceTokensRepository;
  #memberships?: MembershipsRepository;
  #directory?: DirectoryRepository;
  #credits?: CreditsRepository;
  #prices?: PricesRepository;
  #accountLimits?: AccountLimitsRepository;
  #providers?: ProvidersRepository;
  #aliases?: AliasesRepository;
  #routes?: RoutesRepository;
  #sessions?: SessionsRepository;
  #usage?: UsageRecordsRepository;
  #usageRollups?: UsageRollupsRepository;
  #serverSettings?: ServerSettingsRepository;
  #invitations?: InvitationsRepository;
  #stripeEvents?: StripeEventsRepository;
  #budgets?: BudgetsRepository;
  #events?: EventsRepository;
  #expiringKeys?: ExpiringKeysQuery;
  #webhookEndpoints?: WebhookEndpointsRepository;
  #webhookDeliveries?: WebhookDeliveriesRepository;

  constructor(db: Kysely<Tables>) {
    this.#db = db;
  }

  get users(): UsersRepository {
    return (this.#users ??= new UsersRepository(this.#db));
  }

  get accounts(): AccountsRepository {
    return (this.#accounts ??= new AccountsRepository(this.#db));
  }

  get apiKeys(): ApiKeysRepository {
    return (this.#apiKeys ??= new ApiKeysRepository(this.#db));
  }

  get refreshTokens(): RefreshTokensRepository {
    return (this.#refreshTokens ??= new RefreshTokensRepository(this.#db));
  }

  get automation(): AutomationSettingsRepository {
    return (this.#automation ??= new AutomationSettingsRepository(this.#db));
  }

  get audit(): AuditEventsRepository {
    return (this.#audit ??= new AuditEventsRepository(this.#db));
  }

  get serviceTokens(): ServiceTokensRepository {
    return (this.#serviceTokens ??= new ServiceTokensRepository(this.#db));
  }

  get memberships(): MembershipsRepository {
    return (this.#memberships ??= new MembershipsRepository(this.#db));
  }

  get directory(): DirectoryRepository {
    return (this.#directory ??= new DirectoryRepository(this.#db));
  }

  get credits(): CreditsRepository {
    return (this.#credits ??= new CreditsRepository(this.#db));
  }

  get prices(): PricesRepository {
    return (this.#prices ??= new PricesRepository(this.#db));
  }

  get accountLimits(): AccountLimitsRepository {
    return (this.#accountLimits ??= new AccountLimitsRepository(this.#db));
  }

  get providers(): ProvidersRepository {
    return (this.#providers ??= new ProvidersRepository(this.#db));
  }

  get aliases(): AliasesRepository {
    return (this.#aliases ??= new AliasesRepository(this.#db));
  }

  get routes(): RoutesRepository {
    return (this.#routes ??= new RoutesRepository(this.#db));
  }

  get sessions(): SessionsRepository {
    return (this.#sessions ??= new SessionsRepository(this.#db));
  }

  get usage(): UsageRecordsRepository {
    return (this.#usage ??= new UsageRecordsRepository(this.#db));
  }

  get usageRollups(): UsageRollupsRepository {
    return (this.#usageRollups ??= new UsageRollupsRepository(this.#db));
  }

  get serverSettings(): ServerSettingsRepository {
    return (this.#serverSettings ??= new ServerSettingsRepository(this.#db));
  }

  get invitations(): InvitationsRepository {
    return (this.#invitations ??= new InvitationsRepository(this.#db));
  }

  get stripeEvents(): StripeEventsRepository {
    return (this.#stripeEvents ??= new StripeEventsRepository(this.#db));
  }

  get budgets(): BudgetsRepository {
    return (this.#budgets ??= new BudgetsRepository(this.#db));
  }

  get events(): EventsRepository {
    return (this.#events ??= new EventsRepository(this.#db));
  }

  get expiringKeys(): ExpiringKeysQuery {
    return (this.#expiringKeys ??= new ExpiringKeysQuery(this.#db));
  }

  get webhookEndpoints(): WebhookEndpointsRepository {
    return (this.#webhookEndpoints ??= new WebhookEndpointsRepository(this.#db));
  }

  get webhookDeliveries(): WebhookDeliveriesRepository {
    return (this.#webhookDeliveries ??= new WebhookDeliveriesRepository(this.#db));
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

  /**
   * As `transaction`, but on PostgreSQL its commit does not wait for the write-ahead log to reach the
   * disk (synchronous_commit off for this transaction alone, sent with its BEGIN in one message: no
   * round trip of its own). A settlement batch commits so: its row locks, which every reservation of
   * those accounts waits for, are then not held through the disk's flush. What a crash of PostgreSQL
   * itself may then lose is the transactions of its last moments (3 × wal_writer_delay, 0.6 s by
   * default): for a settlement batch, charges not taken and reservations the sweeper later releases
   * uncharged — the customer's favour, like a node's SIGKILL. On SQLite, `transaction` itself.
   */
  transactionNotWaitingForDisk<T>(work: (tx: StorageTransaction) => Promise<T>): Promise<T> {
    if (!(this.#camel.getExecutor().adapter instanceof PostgresAdapter)) return this.transaction(work);
    return this.#camel.connection().execute(async (db) => {
      // Without parameters, node-postgres sends this as one simple query: both statements in one message.
      await db.executeQuery(CompiledQuery.raw('begin; set local synchronous_commit = off'));
      let result: T;
      try {
        result = await work(new StorageTransaction(db));
      } catch (error) {
        await db.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
        throw error;
      }
      await db.executeQuery(CompiledQuery.raw('commit'));
      return result;
    });
  }
}
