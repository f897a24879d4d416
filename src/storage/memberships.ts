// Membership changes of team accounts: listing with the members' identities, role changes,
// removal, and the per-account lock that serialises them so the last-owner rule holds under races.
import type { Kysely } from 'kysely';
import type { Role } from './accounts.js';
import type { Tables } from './schema.js';

export interface MemberView {
  userId: string;
  email: string;
  name: string | null;
  isActive: boolean;
  role: Role;
  createdAt: string;
}

export class MembershipsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * Takes the account's row lock for the rest of the transaction (and renames it when asked):
   * every membership change starts here, so two owners demoting each other run one after the
   * other and the second sees the first's change. False when the account does not exist.
   */
  async lockAccount(accountId: string, at: string, name?: string): Promise<boolean> {
    const result = await this.db
      .updateTable('accounts')
      .set({ updatedAt: at, ...(name !== undefined ? { name } : {}) })
      .where('id', '=', accountId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async listByAccount(accountId: string): Promise<MemberView[]> {
    const rows = await this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.userId')
      .select(['memberships.userId', 'memberships.role', 'memberships.createdAt', 'users.email', 'users.name', 'users.isActive'])
      .where('memberships.accountId', '=', accountId)
      .orderBy('memberships.createdAt', 'asc')
      .orderBy('memberships.userId', 'asc')
      .execute();
    return rows.map((row) => ({
      userId: row.userId,
      email: row.email,
      name: row.name,
      isActive: row.isActive === 1,
      role: row.role,
      createdAt: row.createdAt,
    }));
  }

  async countOwners(accountId: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('accountId', '=', accountId)
      .where('role', '=', 'owner')
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async countTeamsOwnedBy(userId: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('memberships')
      .innerJoin('accounts', 'accounts.id', 'memberships.accountId')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('memberships.userId', '=', userId)
      .where('memberships.role', '=', 'owner')
      .where('accounts.kind', '=', 'team')
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  async countMembers(accountId: string): Promise<number> {
    const { count } = await this.db
      .selectFrom('memberships')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('accountId', '=', accountId)
      .executeTakeFirstOrThrow();
    return Number(count);
  }

  /** Whether someone with this (lower-case) email is a member: answered the same way for unknown emails. */
  async hasMemberWithEmail(accountId: string, email: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.userId')
      .select('memberships.userId')
      .where('memberships.accountId', '=', accountId)
      .where('users.email', '=', email)
      .executeTakeFirst();
    return row !== undefined;
  }

  async setRole(accountId: string, userId: string, role: Role): Promise<void> {
    await this.db.updateTable('memberships').set({ role }).where('accountId', '=', accountId).where('userId', '=', userId).execute();
  }

  async remove(accountId: string, userId: string): Promise<void> {
    await this.db.deleteFrom('memberships').where('accountId', '=', accountId).where('userId', '=', userId).execute();
  }
}
