// The storage facade: every repository over one Kysely handle, and transactions that hand the
// same facade bound to the transaction.
import type { Kysely } from 'kysely';
import { AccountsRepository } from './accounts.js';
import { ApiKeysRepository } from './api-keys.js';
import { AuditEventsRepository } from './audit-events.js';
import { AutomationSettingsRepository } from './automation-settings.js';
import { RefreshTokensRepository } from './refresh-tokens.js';
import type { Database } from './schema.js';
import { UsersRepository } from './users.js';

export class Storage {
  readonly users: UsersRepository;
  readonly accounts: AccountsRepository;
  readonly apiKeys: ApiKeysRepository;
  readonly refreshTokens: RefreshTokensRepository;
  readonly automation: AutomationSettingsRepository;
  readonly audit: AuditEventsRepository;

  constructor(readonly db: Kysely<Database>) {
    this.users = new UsersRepository(db);
    this.accounts = new AccountsRepository(db);
    this.apiKeys = new ApiKeysRepository(db);
    this.refreshTokens = new RefreshTokensRepository(db);
    this.automation = new AutomationSettingsRepository(db);
    this.audit = new AuditEventsRepository(db);
  }

  transaction<T>(work: (storage: Storage) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((trx) => work(new Storage(trx)));
  }
}
