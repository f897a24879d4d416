// Server-wide settings (key → text value): facts the server remembers across restarts.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export type SettingKey = 'operator_established_at';

export class SettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async get(key: SettingKey): Promise<string | undefined> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  /** Writes `value` unless the key is already set (the first write wins). */
  async setOnce(key: SettingKey, value: string, at: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value, updated_at: at })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
  }
}
