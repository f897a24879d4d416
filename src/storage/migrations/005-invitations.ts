// Invitations to team accounts (issue 9 item 10, SPEC §4): nobody becomes a member without
// accepting. An invitation names an email (lower-case), not a user, so inviting does not reveal
// whether the email is registered; the invitee matches it by their own email when they sign in.
// `status` is pending → accepted | declined | withdrawn; expiry is `expires_at`, read at use.
//
// Also, once: service tokens whose creator is no longer an owner or admin of the token's account
// (nor an operator) are revoked. From now on, removing or demoting a member revokes their tokens
// in the same transaction (control/members.ts); this closes the tokens of members removed before
// that rule existed. Tokens with no recorded creator (their user was deleted, which revoked them)
// are left as they are.
import { sql, type Kysely } from 'kysely';

export function invitations() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('invitations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('invited_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('responded_at', 'text')
        .addColumn('responded_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .execute();
      await db.schema.createIndex('invitations_email').on('invitations').columns(['email', 'status', 'expires_at']).execute();
      await db.schema.createIndex('invitations_account').on('invitations').columns(['account_id', 'status', 'created_at']).execute();

      await revokeOrphanedServiceTokens(db, new Date().toISOString());
    },
  };
}

/** Revokes live service tokens whose creator may no longer mint them for the token's account. */
export async function revokeOrphanedServiceTokens<DB>(db: Kysely<DB>, at: string): Promise<void> {
  await sql`
    UPDATE service_tokens SET revoked_at = ${at}, updated_at = ${at}
    WHERE revoked_at IS NULL AND created_by IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = service_tokens.created_by AND u.is_operator = 1)
      AND NOT EXISTS (
        SELECT 1 FROM memberships m
        WHERE m.account_id = service_tokens.account_id AND m.user_id = service_tokens.created_by AND m.role IN ('owner', 'admin')
      )`.execute(db);
}
