// Direct `provider/model` access to a server-wide provider is an operator opt-in (SPEC §1, issue 9):
// `direct` is 0 for every existing row, so upgrading closes direct access to operator upstreams
// until an operator turns it on per provider. Account-owned rows ignore the column (an account's
// own providers always resolve directly).
import type { Kysely } from 'kysely';

export function providerDirect() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('providers')
        .addColumn('direct', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}
