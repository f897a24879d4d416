// Invitation rows (migration 005-invitations). An invitation names a lower-case email, never a
// user, and is pending until answered once: accepted, declined or withdrawn, each a conditional
// UPDATE on `status = 'pending'` that is not yet expired, so two answers racing settle on one.
import type { Kysely, Selectable } from 'kysely';
import type { Role } from './accounts.js';
import type { Database, InvitationsTable } from './schema.js';

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

function toInvitation(row: Selectable<InvitationsTable>): Invitation {
  return {
    id: row.id,
    accountId: row.account_id,
    email: row.email,
    role: row.role,
    invitedBy: row.invited_by,
    status: row.status,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    respondedAt: row.responded_at,
    respondedBy: row.responded_by,
  };
}

export class InvitationsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(invitation: Invitation): Promise<void> {
    await this.db
      .insertInto('invitations')
      .values({
        id: invitation.id,
        account_id: invitation.accountId,
        email: invitation.email,
        role: invitation.role,
        invited_by: invitation.invitedBy,
        status: invitation.status,
        created_at: invitation.createdAt,
        expires_at: invitation.expiresAt,
        responded_at: invitation.respondedAt,
        responded_by: invitation.respondedBy,
      })
      .execute();
  }

  async findById(id: string): Promise<Invitation | undefined> {
    const row = await this.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toInvitation(row);
  }

  /** The account's pending, unexpired invitations, oldest first (one email: at most one of them). */
  async listPendingForAccount(accountId: string, now: string, email?: string): Promise<Invitation[]> {
    let query = this.db.selectFrom('invitations').selectAll().where('account_id', '=', accountId).where('status', '=', 'pending').where('expires_at', '>', now);
    if (email !== undefined) query = query.where('email', '=', email);
    return (await query.orderBy('created_at', 'asc').orderBy('id', 'asc').execute()).map(toInvitation);
  }

  /** Pending, unexpired invitations for one email, with their accounts' names, oldest first. */
  async listPendingForEmail(email: string, now: string): Promise<InvitationView[]> {
    const rows = await this.db
      .selectFrom('invitations')
      .innerJoin('accounts', 'accounts.id', 'invitations.account_id')
      .selectAll('invitations')
      .select('accounts.name as account_name')
      .where('invitations.email', '=', email)
      .where('invitations.status', '=', 'pending')
      .where('invitations.expires_at', '>', now)
      .orderBy('invitations.created_at', 'asc')
      .orderBy('invitations.id', 'asc')
      .execute();
    return rows.map((row) => ({ ...toInvitation(row), accountName: row.account_name }));
  }

  /** Answers a pending, unexpired invitation. False if it was answered, withdrawn or expired meanwhile. */
  async respond(id: string, status: 'accepted' | 'declined' | 'withdrawn', by: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('invitations')
      .set({ status, responded_at: at, responded_by: by })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('expires_at', '>', at)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
