// The audit trail: one event per change to keys, members, providers, aliases, limits and credits,
// and per decrypted-key read. Append-only; kept when a user deletes their account.
import type { Kysely } from 'kysely';
import { newId } from '../core/ids.js';
import type { Selectable } from 'kysely';
import { json, tableCodec } from './codec.js';
import type { Tables } from './schema.js';

export interface AuditEvent {
  id: string;
  accountId: string | null;
  actorType: 'user' | 'service_token' | 'api_key' | 'system';
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  data: Record<string, unknown> | null;
  requestId: string | null;
  createdAt: string;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Pass back as `before` for the next (older) page; null at the end. */
  nextCursor: string | null;
}

const codec = tableCodec<Omit<Selectable<Tables['audit_events']>, 'seq'>, AuditEvent>({ data: json<Record<string, unknown> | null>(null) });

export class AuditEventsRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Appends an event, filling in its id and time. */
  async record(input: AuditInput, now = new Date()): Promise<AuditEvent> {
    const event: AuditEvent = {
      id: newId('evt'),
      createdAt: now.toISOString(),
      data: null,
      targetType: null,
      targetId: null,
      requestId: null,
      ...input,
    };
    await this.insert(event);
    return event;
  }

  async insert(event: AuditEvent): Promise<void> {
    await this.db
      .insertInto('audit_events')
      .values(codec.encode(event))
      .execute();
  }

  /** Newest first, keyset-paginated on the insertion sequence. */
  async listByAccount(accountId: string, options: { limit: number; before?: string | undefined }): Promise<AuditPage> {
    let query = this.db.selectFrom('audit_events').selectAll().where('accountId', '=', accountId);
    const before = options.before === undefined ? undefined : Number(options.before);
    if (before !== undefined && Number.isSafeInteger(before)) query = query.where('seq', '<', before);
    const rows = await query.orderBy('seq', 'desc').limit(options.limit + 1).execute();
    const page = rows.slice(0, options.limit);
    return {
      events: page.map(({ seq: _seq, ...row }) => codec.decode(row)),
      nextCursor: rows.length > options.limit ? String(page[page.length - 1]!.seq) : null,
    };
  }
}

export type AuditInput = Omit<AuditEvent, 'id' | 'createdAt' | 'data' | 'targetType' | 'targetId' | 'requestId'> &
  Partial<Pick<AuditEvent, 'data' | 'targetType' | 'targetId' | 'requestId'>>;
