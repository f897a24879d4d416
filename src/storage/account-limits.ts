// Operator overrides of an account's rate limits. A null field means "use the configured default".
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

export interface LimitOverride {
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
}

export interface AccountLimitOverride extends LimitOverride {
  accountId: string;
  updatedAt: string;
}

export class AccountLimitsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async find(accountId: string): Promise<AccountLimitOverride | undefined> {
    const row = await this.db.selectFrom('account_limits').selectAll().where('accountId', '=', accountId).executeTakeFirst();
    return row;
  }

  async upsert(override: AccountLimitOverride): Promise<void> {
    const { accountId: _accountId, ...values } = override;
    await this.db
      .insertInto('account_limits')
      .values(override)
      .onConflict((oc) => oc.column('accountId').doUpdateSet(values))
      .execute();
  }
}
