// Accounts (the unit of billing and limits) and memberships (user × account × role).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type Role = 'owner' | 'admin' | 'member';

export interface Account {
  id: string;
  name: string;
  kind: 'personal' | 'team';
  createdAt: string;
  updatedAt: string;
}

export interface Membership {
  accountId: string;
  userId: string;
  role: Role;
  createdAt: string;
}

export interface AccountMembership extends Membership {
  account: Account;
}

export class AccountsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(account: Account): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values({ id: account.id, name: account.name, kind: account.kind, created_at: account.createdAt, updated_at: account.updatedAt })
      .execute();
  }

  async findById(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row && { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at, updatedAt: row.updated_at };
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('accounts').where('id', '=', id).execute();
  }

  async addMember(membership: Membership): Promise<void> {
    await this.db
      .insertInto('memberships')
      .values({ account_id: membership.accountId, user_id: membership.userId, role: membership.role, created_at: membership.createdAt })
      .execute();
  }

  async findMembership(accountId: string, userId: string): Promise<Membership | undefined> {
    const row = await this.db
      .selectFrom('memberships')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row && { accountId: row.account_id, userId: row.user_id, role: row.role, createdAt: row.created_at };
  }

  /** The user's memberships with their accounts, personal account first, then oldest first. */
  async listForUser(userId: string): Promise<AccountMembership[]> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
      .select([
        'memberships.account_id',
        'memberships.user_id',
        'memberships.role',
        'memberships.created_at',
        'accounts.name',
        'accounts.kind',
        'accounts.created_at as account_created_at',
        'accounts.updated_at as account_updated_at',
      ])
      .where('memberships.user_id', '=', userId)
      .orderBy('accounts.kind', 'asc')
      .orderBy('memberships.created_at', 'asc')
      .execute();
    return rows.map((row) => ({
      accountId: row.account_id,
      userId: row.user_id,
      role: row.role,
      createdAt: row.created_at,
      account: { id: row.account_id, name: row.name, kind: row.kind, createdAt: row.account_created_at, updatedAt: row.account_updated_at },
    }));
  }

  /** The personal account of a user: the one account of kind 'personal' they own. */
  async findPersonal(userId: string): Promise<Account | undefined> {
    const memberships = await this.listForUser(userId);
    return memberships.find((m) => m.account.kind === 'personal' && m.role === 'owner')?.account;
  }

  /** Team accounts where this user is the only owner (they block deleting the user). */
  async teamsSolelyOwnedBy(userId: string): Promise<string[]> {
    const owned = await this.db
      .selectFrom('memberships')
      .innerJoin('accounts', 'accounts.id', 'memberships.account_id')
      .select('memberships.account_id')
      .where('memberships.user_id', '=', userId)
      .where('memberships.role', '=', 'owner')
      .where('accounts.kind', '=', 'team')
      .execute();
    const blocking: string[] = [];
    for (const { account_id } of owned) {
      const { count } = await this.db
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('account_id', '=', account_id)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      if (Number(count) <= 1) blocking.push(account_id);
    }
    return blocking;
  }
}
