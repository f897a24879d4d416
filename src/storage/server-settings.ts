// Deployment-wide facts, one row each, written once (migration 006): the first node to write a
// fact wins, and every later node reads what it wrote. Today: the master key's fingerprint
// (SPEC §7) and `operator_established_at`, the moment the server first had an operator (from
// then on TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL grants nothing).
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

export type ServerSettingName = 'master_key_fingerprint' | 'operator_established_at';

export class ServerSettingsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async get(name: ServerSettingName): Promise<string | undefined> {
    const row = await this.db.selectFrom('server_settings').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }

  /** Stores `value` under `name` unless a value is already there; returns the stored value. */
  async claim(name: ServerSettingName, value: string, at: string): Promise<string> {
    // ON CONFLICT DO NOTHING: nodes starting together agree on whichever insert came first.
    await this.db.insertInto('server_settings').values({ name, value, createdAt: at }).onConflict((oc) => oc.column('name').doNothing()).execute();
    const row = await this.db.selectFrom('server_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  }
}
