// Per-user automation settings: whether requests without a session open one automatically, and
// for how long sessions last.
import type { Kysely } from 'kysely';
import type { Tables } from './schema.js';

export interface AutomationSettings {
  userId: string;
  isEnabled: boolean;
  sessionDurationS: number;
  createdAt: string;
  updatedAt: string;
}

function toRow(settings: AutomationSettings) {
  return {
    userId: settings.userId,
    isEnabled: settings.isEnabled ? (1 as const) : (0 as const),
    sessionDuration: settings.sessionDurationS,
    createdAt: settings.createdAt,
    updatedAt: settings.updatedAt,
  };
}

export class AutomationSettingsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async find(userId: string): Promise<AutomationSettings | undefined> {
    const row = await this.db.selectFrom('automation_settings').selectAll().where('userId', '=', userId).executeTakeFirst();
    return (
      row && {
        userId: row.userId,
        isEnabled: row.isEnabled === 1,
        sessionDurationS: row.sessionDuration,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      }
    );
  }

  /** Inserts unless a row exists (two first reads racing both succeed). */
  async insertIfMissing(settings: AutomationSettings): Promise<void> {
    await this.db.insertInto('automation_settings').values(toRow(settings)).onConflict((oc) => oc.column('userId').doNothing()).execute();
  }

  /** Insert or update in one statement (both dialects support ON CONFLICT … DO UPDATE). */
  async upsert(settings: AutomationSettings): Promise<void> {
    const row = toRow(settings);
    await this.db
      .insertInto('automation_settings')
      .values(row)
      .onConflict((oc) => oc.column('userId').doUpdateSet({ isEnabled: row.isEnabled, sessionDuration: row.sessionDuration, updatedAt: row.updatedAt }))
      .execute();
  }
}
