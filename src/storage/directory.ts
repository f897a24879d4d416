// The operator's view of the whole server: accounts and users, searched and paginated newest
// first. Keyset pagination on (created_at, id) keeps pages stable while rows are added.
import { sql, type Kysely } from 'kysely';
import type { Tables } from './schema.js';

export interface DirectoryQuery {
  /** Case-insensitive substring of email/name (users) or name/id (accounts). */
  search?: string | undefined;
  limit: number;
  /** An opaque cursor from the previous page. */
  cursor?: string | undefined;
}

export interface DirectoryPage<T> {
  items: T[];
  nextCursor: string | null;
}

export interface DirectoryUser {
  id: string;
  email: string;
  name: string | null;
  isActive: boolean;
  isOperator: boolean;
  createdAt: string;
}

export interface DirectoryAccount {
  id: string;
  name: string;
  kind: 'personal' | 'team';
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`, 'utf8').toString('base64url');
}

/** A cursor we did not make reads as "from the start" rather than an error. */
function decodeCursor(cursor: string | undefined): { createdAt: string; id: string } | null {
  if (!cursor) return null;
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  return createdAt && id && rest.length === 0 ? { createdAt, id } : null;
}

/** LIKE pattern for a substring, with the wildcards in the search escaped. */
function containsPattern(search: string): string {
  return `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export class DirectoryRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async users(query: DirectoryQuery): Promise<DirectoryPage<DirectoryUser>> {
    let q = this.db.selectFrom('users').select(['id', 'email', 'name', 'isActive', 'isOperator', 'createdAt']);
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([sql<boolean>`lower(email) like ${pattern} escape '\\'`, sql<boolean>`lower(coalesce(name, '')) like ${pattern} escape '\\'`]));
    }
    const after = decodeCursor(query.cursor);
    if (after) q = q.where((eb) => eb.or([eb('createdAt', '<', after.createdAt), eb.and([eb('createdAt', '=', after.createdAt), eb('id', '<', after.id)])]));
    const rows = await q.orderBy('createdAt', 'desc').orderBy('id', 'desc').limit(query.limit + 1).execute();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ id: r.id, email: r.email, name: r.name, isActive: r.isActive === 1, isOperator: r.isOperator === 1, createdAt: r.createdAt })),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  async accounts(query: DirectoryQuery): Promise<DirectoryPage<DirectoryAccount>> {
    let q = this.db
      .selectFrom('accounts')
      .select((eb) => [
        'accounts.id',
        'accounts.name',
        'accounts.kind',
        'accounts.createdAt',
        'accounts.updatedAt',
        eb.selectFrom('memberships').select((m) => m.fn.countAll<number>().as('n')).whereRef('memberships.accountId', '=', 'accounts.id').as('memberCount'),
      ]);
    if (query.search) {
      const pattern = containsPattern(query.search);
      q = q.where((eb) => eb.or([sql<boolean>`lower(accounts.name) like ${pattern} escape '\\'`, sql<boolean>`lower(accounts.id) like ${pattern} escape '\\'`]));
    }
    const after = decodeCursor(query.cursor);
    if (after) {
      q = q.where((eb) => eb.or([eb('accounts.createdAt', '<', after.createdAt), eb.and([eb('accounts.createdAt', '=', after.createdAt), eb('accounts.id', '<', after.id)])]));
    }
    const rows = await q.orderBy('accounts.createdAt', 'desc').orderBy('accounts.id', 'desc').limit(query.limit + 1).execute();
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ id: r.id, name: r.name, kind: r.kind, memberCount: Number(r.memberCount ?? 0), createdAt: r.createdAt, updatedAt: r.updatedAt })),
      nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }
}
