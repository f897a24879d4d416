// Deployment-wide facts written once (migration 006): the first node to start records them, and
// every later node reads what the first one wrote.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class ServerSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores `value` under `name` unless a value is already there; returns the stored value. */
  async claim(name: string, value: string, at: string): Promise<string> {
    // ON CONFLICT DO NOTHING: nodes starting together agree on whichever insert came first.
    await this.db.insertInto('server_settings').values({ name, value, created_at: at }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await this.db.selectFrom('server_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  }
}
