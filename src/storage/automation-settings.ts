// Per-user automation settings: whether requests without a session open one automatically, and
// for how long sessions last.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface AutomationSettings {
  userId: string;
  isEnabled: boolean;
  sessionDurationS: number;
  createdAt: string;
  updatedAt: string;
}

function toRow(settings: AutomationSettings) {
  return {
    user_id: settings.userId,
    is_enabled: settings.isEnabled ? (1 as const) : (0 as const),
    session_duration: settings.sessionDurationS,
    created_at: settings.createdAt,
    updated_at: settings.updatedAt,
  };
}

export class AutomationSettingsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async find(userId: string): Promise<AutomationSettings | undefined> {
    const row = await this.db.selectFrom('automation_settings').selectAll().where('user_id', '=', userId).executeTakeFirst();
    return (
      row && {
        userId: row.user_id,
        isEnabled: row.is_enabled === 1,
        sessionDurationS: row.session_duration,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      }
    );
  }

  /** Inserts unless a row exists (two first reads racing both succeed). */
  async insertIfMissing(settings: AutomationSettings): Promise<void> {
    await this.db.insertInto('automation_settings').values(toRow(settings)).onConflict((oc) => oc.column('user_id').doNothing()).execute();
  }

  /** Insert or update in one statement (both dialects support ON CONFLICT … DO UPDATE). */
  async upsert(settings: AutomationSettings): Promise<void> {
    const row = toRow(settings);
    await this.db
      .insertInto('automation_settings')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ is_enabled: row.is_enabled, session_duration: row.session_duration, updated_at: row.updated_at }))
      .execute();
  }
}
