// Server-wide settings: one row per key, for facts the server must remember across restarts.
// First use: `operator_established_at`, written when the server first has an operator; from then
// on TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL grants nothing (issue 9 item 11), even after that operator
// is deleted or demoted. A database that already has an operator, or an audit trail of one being
// granted, is marked here.
import { sql, type Kysely } from 'kysely';

export function settings() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('settings')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      const at = new Date().toISOString();
      await sql`
        INSERT INTO settings (key, value, updated_at)
        SELECT 'operator_established_at', ${at}, ${at}
        WHERE EXISTS (SELECT 1 FROM users WHERE is_operator = 1)
           OR EXISTS (SELECT 1 FROM audit_events WHERE action = 'user.operator_granted')
      `.execute(db);
    },
  };
}
