// Invitation rows (migration 005-invitations). An invitation names a lower-case email, never a
// user, and is pending until answered once: accepted, declined or withdrawn, each a conditional
// UPDATE on `status = 'pending'` that is not yet expired, so two answers racing settle on one.
import type { Kysely } from 'kysely';
import type { Role } from './accounts.js';
import type { Tables } from './schema.js';
import type { InvitationsTable } from './tables/accounts-tables.js';

export interface Invitation {
  id: string;
  accountId: string;
  email: string;
  role: Role;
  invitedBy: string | null;
  status: InvitationsTable['status'];
  createdAt: string;
  expiresAt: string;
  respondedAt: string | null;
  respondedBy: string | null;
}

/** An invitation with the name of the account it is for (what the invitee sees). */
export interface InvitationView extends Invitation {
  accountName: string;
}

export class InvitationsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(invitation: Invitation): Promise<void> {
    await this.db
      .insertInto('invitations')
      .values(invitation)
      .execute();
  }

  async findById(id: string): Promise<Invitation | undefined> {
    const row = await this.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    return row;
  }

  /** The account's pending, unexpired invitations, oldest first (one email: at most one of them). */
  async listPendingForAccount(accountId: string, now: string, email?: string): Promise<Invitation[]> {
    let query = this.db.selectFrom('invitations').selectAll().where('accountId', '=', accountId).where('status', '=', 'pending').where('expiresAt', '>', now);
    if (email !== undefined) query = query.where('email', '=', email);
    return (await query.orderBy('createdAt', 'asc').orderBy('id', 'asc').execute());
  }

  /** Pending, unexpired invitations for one email, with their accounts' names, oldest first. */
  async listPendingForEmail(email: string, now: string): Promise<InvitationView[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .innerJoin('accounts', 'accounts.id', 'invitations.accountId')
      .selectAll('invitations')
      .select('accounts.name as accountName')
      .where('invitations.email', '=', email)
      .where('invitations.status', '=', 'pending')
      .where('invitations.expiresAt', '>', now)
      .orderBy('invitations.createdAt', 'asc')
      .orderBy('invitations.id', 'asc')
      .execute();
    return rows.map((row) => ({ ...row, accountName: row.accountName }));
  }

  /** Answers a pending, unexpired invitation. False if it was answered, withdrawn or expired meanwhile. */
  async respond(id: string, status: 'accepted' | 'declined' | 'withdrawn', by: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('invitations')
      .set({ status, respondedAt: at, respondedBy: by })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expiresAt', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
