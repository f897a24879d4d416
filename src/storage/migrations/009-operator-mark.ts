// The mark that the server has had an operator (issue 9 item 11), in server_settings (006): from
// then on TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL grants nothing, even after that operator is deleted or
// demoted. A database that already has an operator, or an audit trail of one being granted, is
// marked here on upgrade.
import { sql, type Kysely } from 'kysely';

export function operatorMark() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const at = new Date().toISOString();
      await sql`
        INSERT INTO server_settings (name, value, created_at)
        SELECT 'operator_established_at', ${at}, ${at}
        WHERE EXISTS (SELECT 1 FROM users WHERE is_operator = 1)
           OR EXISTS (SELECT 1 FROM audit_events WHERE action = 'user.operator_granted')
      `.execute(db);
    },
  };
}
