// Issue 9, the HTTP edge:
// - server_settings: one row per deployment-wide fact, written once. `master_key_fingerprint` is
//   an HMAC of a fixed label under a key derived from the master key (never the key), so a node
//   started with another master key refuses to start instead of failing every HMAC and
//   decryption (SPEC §7).
// - usage_records.client_request_id: the caller's own X-Request-Id, kept for correlation; the
//   record is keyed by Tollgate's `req_…` id.
import type { Kysely } from 'kysely';

export function httpHardening() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('server_settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('usage_records').addColumn('client_request_id', 'text').execute();
    },
  };
}
