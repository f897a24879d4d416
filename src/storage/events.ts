// Event rows (migration 012-webhooks, SPEC §9) and the "once" marks that keep a notice from going
// out twice: a key's expiry warning (for ever) or model.unpriced (once per model per hour). A mark
// is claimed by one conditional upsert, so two nodes racing for it settle on one winner.
import { sql, type Kysely, type Selectable } from 'kysely';
import { json, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export interface EventRecord {
  id: string;
  accountId: string;
  type: string;
  data: Record<string, unknown>;
  createdAt: string;
}

const codec = tableCodec<Selectable<Tables['events']>, EventRecord>({ data: json<Record<string, unknown>>({}) });

export class EventsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(event: EventRecord): Promise<void> {
    await this.db.insertInto('events').values(codec.encode(event) as Selectable<Tables['events']>).execute();
  }

  async findById(id: string): Promise<EventRecord | undefined> {
    const row = await this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  /**
   * Claims the mark `key` until `until`: true for the one caller that took it (no mark yet, or the
   * previous one ended at or before `now`), false while someone else's mark holds.
   */
  async claimOnce(key: string, until: string, now: string): Promise<boolean> {
    const row = await this.db
      .insertInto('event_onces')
      .values({ key, until, createdAt: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ until, createdAt: now }).where('event_onces.until', '<=', now))
      .returning('key')
      .executeTakeFirst();
    return row !== undefined;
  }
}

/** A key that is due an expiry warning (key.expiring). */
export interface ExpiringKey {
  id: string;
  accountId: string;
  name: string | null;
  keyPrefix: string;
  kind: 'personal' | 'org';
  expiresAt: string;
}

export class ExpiringKeysQuery {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * Live keys expiring in (now, horizon] whose `mark` warning (`key.expiring:<id>:<mark>`) was not
   * claimed yet, soonest first. Keys revoked or scheduled to be revoked get no warning.
   */
  async due(now: string, horizon: string, mark: string, limit: number): Promise<ExpiringKey[]> {
    const rows = await this.db
      .selectFrom('api_keys as k')
      .select(['k.id', 'k.accountId', 'k.name', 'k.keyPrefix', 'k.kind', 'k.expiresAt'])
      .where('k.expiresAt', '>', now)
      .where('k.expiresAt', '<=', horizon)
      .where('k.revokedAt', 'is', null)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('event_onces as o').select('o.key').where('o.key', '=', sql<string>`'key.expiring:' || k.id || ${`:${mark}`}`))),
      )
      .orderBy('k.expiresAt')
      .limit(limit)
      .execute();
    return rows.map((row) => ({ ...row, expiresAt: row.expiresAt! }));
  }
}
