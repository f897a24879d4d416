// API key rows. Only the HMAC of a key is stored; a recoverable key also keeps an AES-GCM
// ciphertext bound to its row. `revoked_at` may lie in the future: a rotated key's grace period.
import { sql, type Kysely, type Selectable } from 'kysely';
import type { ListPosition } from '../core/list-cursor.js';
import { bool, json, tableCodec } from './codec.js';
import { CompiledStatement } from './compiled-statement.js';
import type { Tables } from './schema.js';

export interface KeyRateLimit {
  rpm?: number | undefined;
  tpm?: number | undefined;
  concurrency?: number | undefined;
}

export interface ApiKeyRecord {
  id: string;
  accountId: string;
  createdBy: string | null;
  kind: 'personal' | 'org';
  name: string | null;
  keyPrefix: string;
  environment: 'live' | 'test';
  secretHash: string;
  encryptedKey: string | null;
  expiresAt: string | null;
  allowedOrigins: string[];
  scopes: string[];
  models: string[] | null;
  rateLimit: KeyRateLimit | null;
  /** Canonical CIDR blocks (src/core/ip-allowlist.ts); empty: any client address. */
  allowedIps: string[];
  /** The owner's own name/value pairs, handed back by verify and forward-auth. */
  metadata: Record<string, string>;
  isDefault: boolean;
  rotatedFrom: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * What the key check and everything after it read of a key: the part of the row the key cache keeps
 * for up to 100k keys (src/keys/key-cache.ts). Not the name, prefix, recovery ciphertext, address
 * list (compiled apart) or timestamps, which no caller of the check uses.
 */
export type CheckedKey = Pick<
  ApiKeyRecord,
  'id' | 'accountId' | 'createdBy' | 'kind' | 'environment' | 'secretHash' | 'expiresAt' | 'revokedAt' | 'allowedOrigins' | 'scopes' | 'models' | 'rateLimit' | 'metadata'
>;

/** One page of a key listing (SPEC §8 "Listing at scale"): keyset order on (created_at, id). */
export interface KeyPageQuery {
  owner: { accountId: string } | { createdBy: string };
  kind: ApiKeyRecord['kind'];
  order: 'asc' | 'desc';
  limit: number;
  /** The last row of the previous page. */
  after?: ListPosition | undefined;
  /** A case-insensitive substring of the name, or a prefix of key_prefix. */
  search?: string | undefined;
}

/** Keys a search examines per page at most: what bounds the time of one search request. */
export const SEARCH_SCAN_ROWS = 5_000;

function positionOf(row: { createdAt: string; id: string } | undefined): ListPosition | null {
  return row ? { createdAt: row.createdAt, id: row.id } : null;
}

export type ApiKeyPatch = Partial<Pick<ApiKeyRecord, 'name' | 'allowedOrigins' | 'expiresAt' | 'scopes' | 'models' | 'rateLimit' | 'allowedIps' | 'metadata'>>;

const codec = tableCodec<Selectable<Tables['api_keys']>, ApiKeyRecord>({
  allowedOrigins: json<string[]>([]),
  scopes: json<string[]>([]),
  models: json<string[] | null>(null),
  rateLimit: json<KeyRateLimit | null>(null),
  allowedIps: json<string[]>([]),
  metadata: json<Record<string, string>>({}),
  isDefault: bool,
});

/** touchLastUsed's UPDATE, compiled once per database. */
const touchLastUsedStatement = new CompiledStatement();

export class ApiKeysRepository {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(key: ApiKeyRecord): Promise<void> {
    await this.db.insertInto('api_keys').values(codec.encode(key)).execute();
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && codec.decode(row);
  }

  /** Keys a user created of one kind, oldest first. */
  async listByCreator(userId: string, kind: ApiKeyRecord['kind']): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('createdBy', '=', userId)
      .where('kind', '=', kind)
      .orderBy('createdAt', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(codec.decode);
  }

  async listByAccount(accountId: string, kind: ApiKeyRecord['kind']): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('accountId', '=', accountId)
      .where('kind', '=', kind)
      .orderBy('createdAt', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(codec.decode);
  }

  /**
   * One page, and the position to continue from (null at the end). The owner, kind and order walk
   * the listing index of migration 015, so a page is an index range read however many keys there
   * are. A search looks at no more than SEARCH_SCAN_ROWS keys per page (a substring of the name has
   * no index without extensions): a page may then hold fewer matches than `limit`, even none, and
   * still name a next position, from where the scan goes on. Each request stays bounded; paging
   * on still finds every match exactly once.
   */
  async page(query: KeyPageQuery): Promise<{ keys: ApiKeyRecord[]; next: ListPosition | null }> {
    let q = this.db.selectFrom('api_keys').where('kind', '=', query.kind);
    q = 'accountId' in query.owner ? q.where('accountId', '=', query.owner.accountId) : q.where('createdBy', '=', query.owner.createdBy);
    const after = query.after;
    if (after) q = q.where((eb) => eb(eb.refTuple('createdAt', 'id'), query.order === 'asc' ? '>' : '<', eb.tuple(after.createdAt, after.id)));
    const ordered = q.orderBy('createdAt', query.order).orderBy('id', query.order);
    const search = query.search;
    if (!search) {
      const rows = await ordered.selectAll().limit(query.limit + 1).execute();
      const keys = rows.slice(0, query.limit).map(codec.decode);
      return { keys, next: rows.length > query.limit ? positionOf(keys[keys.length - 1]) : null };
    }
    const pattern = `%${search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;
    const scanned = await ordered
      .select(['id', 'createdAt', sql<number | boolean>`(lower(name) like ${pattern} escape '\\' or substr(key_prefix, 1, ${search.length}) = ${search})`.as('hit')])
      .limit(SEARCH_SCAN_ROWS)
      .execute();
    const hits = scanned.filter((r) => Boolean(r.hit));
    const found = hits.slice(0, query.limit);
    const rows = found.length === 0 ? [] : await this.db.selectFrom('api_keys').selectAll().where('id', 'in', found.map((r) => r.id)).execute();
    const byId = new Map(rows.map((r) => [r.id, codec.decode(r)]));
    const keys = found.map((r) => byId.get(r.id)).filter((k): k is ApiKeyRecord => k !== undefined);
    if (hits.length > query.limit) return { keys, next: positionOf(found[found.length - 1]) };
    return { keys, next: scanned.length === SEARCH_SCAN_ROWS ? positionOf(scanned[scanned.length - 1]) : null };
  }

  /** Applies the patch; the stored key after it, or undefined when it is gone. */
  async update(id: string, patch: ApiKeyPatch, at: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.updateTable('api_keys').set(codec.encode({ ...patch, updatedAt: at })).where('id', '=', id).returningAll().executeTakeFirst();
    return row && codec.decode(row);
  }

  /**
   * Sets the revocation time unless the key is already revoked earlier. Returns whether it changed.
   * `revokeAt` may be in the future (rotation grace).
   */
  async revoke(id: string, revokeAt: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revokedAt: revokeAt, isDefault: 0, updatedAt: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('revokedAt', 'is', null), eb('revokedAt', '>', revokeAt)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Starts a rotation: sets the end of the key's grace period, only if nothing has set one yet.
   * A key already rotated (its successor exists, the grace running) or revoked is left alone and
   * the answer is false, so two rotations racing on one key mint one successor: the conditional
   * UPDATE is atomic on both databases (PostgreSQL re-checks the WHERE after the row lock).
   */
  async beginRotation(id: string, revokeAt: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revokedAt: revokeAt, isDefault: 0, updatedAt: at })
      .where('id', '=', id)
      .where('revokedAt', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The key minted by rotating this one, if any. */
  async findSuccessor(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('rotatedFrom', '=', id).orderBy('createdAt', 'asc').executeTakeFirst();
    return row && codec.decode(row);
  }

  async revokeAllByCreator(userId: string, at: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('api_keys')
      .set({ revokedAt: at, updatedAt: at })
      .where('createdBy', '=', userId)
      .where((eb) => eb.or([eb('revokedAt', 'is', null), eb('revokedAt', '>', at)]))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Makes one key the user's default; clears the flag on their other keys in the same statement batch. */
  async setDefault(userId: string, id: string, at: string): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ isDefault: 0, updatedAt: at })
      .where('createdBy', '=', userId)
      .where('isDefault', '=', 1)
      .where('id', '!=', id)
      .execute();
    await this.db.updateTable('api_keys').set({ isDefault: 1, updatedAt: at }).where('id', '=', id).execute();
  }

  /**
   * Writes last-use times collected in memory, never moving a time backwards: one statement per key,
   * all in one transaction (one commit, not one per key, after a burst of distinct keys). The
   * statement is compiled once: a flush holds every key used in the last few seconds, thousands on a
   * busy server, and Kysely built and compiled the same UPDATE again for each of them.
   */
  async touchLastUsed(uses: ReadonlyMap<string, string>): Promise<void> {
    if (uses.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const [id, at] of uses) {
        await touchLastUsedStatement.run(trx, 0, [at, id, at], () =>
          trx
            .updateTable('api_keys')
            .set({ lastUsedAt: at })
            .where('id', '=', id)
            .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', at)])),
        );
      }
    });
  }
}
