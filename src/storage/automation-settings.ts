// Per-user automation settings: whether requests without a session open one automatically, and
// for how long sessions last (in seconds).
import type { Kysely, Selectable } from 'kysely';
import { bool, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export interface AutomationSettings {
  userId: string;
  isEnabled: boolean;
  sessionDuration: number;
  createdAt: string;
  updatedAt: string;
}

const codec = tableCodec<Selectable<Tables['automation_settings']>, AutomationSettings>({ isEnabled: bool });

export class AutomationSettingsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async find(userId: string): Promise<AutomationSettings | undefined> {
    const row = await this.db.selectFrom('automation_settings').selectAll().where('userId', '=', userId).executeTakeFirst();
    return row && codec.decode(row);
  }

  /**
   * The stored row, inserted from `settings` when there is none. The no-op update on conflict makes
   * RETURNING answer with the row that won, so two first reads racing both get it in one statement.
   */
  async findOrInsert(settings: AutomationSettings): Promise<AutomationSettings> {
    const row = await this.db
      .insertInto('automation_settings')
      .values(codec.encode(settings))
      .onConflict((oc) => oc.column('userId').doUpdateSet((eb) => ({ userId: eb.ref('excluded.userId') })))
      .returningAll()
      .executeTakeFirstOrThrow();
    return codec.decode(row);
  }

  /** Insert or update in one statement (both dialects support ON CONFLICT … DO UPDATE … RETURNING). */
  async upsert(settings: AutomationSettings): Promise<AutomationSettings> {
    const values = codec.encode(settings);
    const row = await this.db
      .insertInto('automation_settings')
      .values(values)
      .onConflict((oc) => oc.column('userId').doUpdateSet({ isEnabled: values.isEnabled, sessionDuration: values.sessionDuration, updatedAt: values.updatedAt }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return codec.decode(row);
  }
}
