// Service tokens: org-scoped credentials for the admin plane (SPEC §1, §3). Only an HMAC of each
// token is kept; the row id doubles as the public part of the token so a lookup needs no scan.
import type { Kysely } from 'kysely';

export function accounts() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('service_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
        .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_prefix', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('service_tokens_account').on('service_tokens').columns(['account_id', 'created_at']).execute();
      // Operator search over accounts and users lists by creation time.
      await db.schema.createIndex('accounts_created').on('accounts').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('users_created').on('users').columns(['created_at', 'id']).execute();
    },
  };
}
