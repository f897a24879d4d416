// More key settings (SPEC §8, issue 13 item 5): a key's allowed client addresses (a JSON list of
// canonical CIDR blocks) and its metadata (a JSON object of name/value strings). Existing keys get
// the empty list and object: no address rule, no metadata.
import type { Kysely } from 'kysely';

export function keyIpsAndMetadata() {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('api_keys').addColumn('allowed_ips', 'text', (c) => c.notNull().defaultTo('[]')).execute();
      await db.schema.alterTable('api_keys').addColumn('metadata', 'text', (c) => c.notNull().defaultTo('{}')).execute();
    },
  };
}
