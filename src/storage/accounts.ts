// Accounts (the unit of billing and limits) and memberships (user × account × role).
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

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
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(account: Account): Promise<void> {
    await this.db
      .insertInto('accounts')
      .values(account)
      .execute();
  }

  async findById(id: string): Promise<Account | undefined> {
    const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.deleteFrom('accounts').where('id', '=', id).execute();
  }

  async addMember(membership: Membership): Promise<void> {
    await this.db
      .insertInto('memberships')
      .values(membership)
      .execute();
  }

  async findMembership(accountId: string, userId: string): Promise<Membership | undefined> {
    const row = await this.db
      .selectFrom('memberships')
      .selectAll()
      .where('accountId', '=', accountId)
      .where('userId', '=', userId)
      .executeTakeFirst();
    return row;
  }

  /** The user's memberships with their accounts, personal account first, then oldest first. */
  async listForUser(userId: string): Promise<AccountMembership[]> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('accounts', 'accounts.id', 'memberships.accountId')
      .select([
        'memberships.accountId',
        'memberships.userId',
        'memberships.role',
        'memberships.createdAt',
        'accounts.name',
        'accounts.kind',
        'accounts.createdAt as accountCreatedAt',
        'accounts.updatedAt as accountUpdatedAt',
      ])
      .where('memberships.userId', '=', userId)
      .orderBy('accounts.kind', 'asc')
      .orderBy('memberships.createdAt', 'asc')
      .execute();
    return rows.map((row) => ({
      accountId: row.accountId,
      userId: row.userId,
      role: row.role,
      createdAt: row.createdAt,
      account: { id: row.accountId, name: row.name, kind: row.kind, createdAt: row.accountCreatedAt, updatedAt: row.accountUpdatedAt },
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
      .innerJoin('accounts', 'accounts.id', 'memberships.accountId')
      .select('memberships.accountId')
      .where('memberships.userId', '=', userId)
      .where('memberships.role', '=', 'owner')
      .where('accounts.kind', '=', 'team')
      .execute();
    const blocking: string[] = [];
    for (const { accountId } of owned) {
      const { count } = await this.db
        .selectFrom('memberships')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('accountId', '=', accountId)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      if (Number(count) <= 1) blocking.push(accountId);
    }
    return blocking;
  }
}
