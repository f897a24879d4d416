// API key rows. Only the HMAC of a key is stored; a recoverable key also keeps an AES-GCM
// ciphertext bound to its row. `revoked_at` may lie in the future: a rotated key's grace period.
import type { Kysely, Selectable } from 'kysely';
import { fromJson, toJson } from './json-column.js';
import type { ApiKeysTable, Database } from './schema.js';

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
  isDefault: boolean;
  rotatedFrom: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export type ApiKeyPatch = Partial<Pick<ApiKeyRecord, 'name' | 'allowedOrigins' | 'expiresAt' | 'scopes' | 'models' | 'rateLimit'>>;

function toRecord(row: Selectable<ApiKeysTable>): ApiKeyRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    createdBy: row.created_by,
    kind: row.kind,
    name: row.name,
    keyPrefix: row.key_prefix,
    environment: row.environment,
    secretHash: row.secret_hash,
    encryptedKey: row.encrypted_key,
    expiresAt: row.expires_at,
    allowedOrigins: fromJson<string[]>(row.allowed_origins, []),
    scopes: fromJson<string[]>(row.scopes, []),
    models: fromJson<string[] | null>(row.models, null),
    rateLimit: fromJson<KeyRateLimit | null>(row.rate_limit, null),
    isDefault: row.is_default === 1,
    rotatedFrom: row.rotated_from,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Active at `now`: not revoked (or revocation still ahead) and not expired. */
export function isKeyActive(key: Pick<ApiKeyRecord, 'revokedAt' | 'expiresAt'>, now: string): boolean {
  return (key.revokedAt === null || key.revokedAt > now) && (key.expiresAt === null || key.expiresAt > now);
}

export class ApiKeysRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(key: ApiKeyRecord): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: key.id,
        account_id: key.accountId,
        created_by: key.createdBy,
        kind: key.kind,
        name: key.name,
        key_prefix: key.keyPrefix,
        environment: key.environment,
        secret_hash: key.secretHash,
        encrypted_key: key.encryptedKey,
        expires_at: key.expiresAt,
        allowed_origins: toJson(key.allowedOrigins),
        scopes: toJson(key.scopes),
        models: key.models === null ? null : toJson(key.models),
        rate_limit: key.rateLimit === null ? null : toJson(key.rateLimit),
        is_default: key.isDefault ? 1 : 0,
        rotated_from: key.rotatedFrom,
        revoked_at: key.revokedAt,
        last_used_at: key.lastUsedAt,
        created_at: key.createdAt,
        updated_at: key.updatedAt,
      })
      .execute();
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecord(row);
  }

  /** Keys a user created of one kind, oldest first. */
  async listByCreator(userId: string, kind: ApiKeyRecord['kind']): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('created_by', '=', userId)
      .where('kind', '=', kind)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toRecord);
  }

  async listByAccount(accountId: string, kind: ApiKeyRecord['kind']): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('kind', '=', kind)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
    return rows.map(toRecord);
  }

  async update(id: string, patch: ApiKeyPatch, at: string): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.allowedOrigins !== undefined ? { allowed_origins: toJson(patch.allowedOrigins) } : {}),
        ...(patch.expiresAt !== undefined ? { expires_at: patch.expiresAt } : {}),
        ...(patch.scopes !== undefined ? { scopes: toJson(patch.scopes) } : {}),
        ...(patch.models !== undefined ? { models: patch.models === null ? null : toJson(patch.models) } : {}),
        ...(patch.rateLimit !== undefined ? { rate_limit: patch.rateLimit === null ? null : toJson(patch.rateLimit) } : {}),
        updated_at: at,
      })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Sets the revocation time unless the key is already revoked earlier. Returns whether it changed.
   * `revokeAt` may be in the future (rotation grace).
   */
  async revoke(id: string, revokeAt: string, at: string): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: revokeAt, is_default: 0, updated_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', revokeAt)]))
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
      .set({ revoked_at: revokeAt, is_default: 0, updated_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** The key minted by rotating this one, if any. */
  async findSuccessor(id: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('rotated_from', '=', id).orderBy('created_at', 'asc').executeTakeFirst();
    return row && toRecord(row);
  }

  async revokeAllByCreator(userId: string, at: string): Promise<string[]> {
    const rows = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: at, updated_at: at })
      .where('created_by', '=', userId)
      .where((eb) => eb.or([eb('revoked_at', 'is', null), eb('revoked_at', '>', at)]))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  /** Makes one key the user's default; clears the flag on their other keys in the same statement batch. */
  async setDefault(userId: string, id: string, at: string): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ is_default: 0, updated_at: at })
      .where('created_by', '=', userId)
      .where('is_default', '=', 1)
      .where('id', '!=', id)
      .execute();
    await this.db.updateTable('api_keys').set({ is_default: 1, updated_at: at }).where('id', '=', id).execute();
  }

  /**
   * Writes last-use times collected in memory, never moving a time backwards: one statement per key,
   * all in one transaction (one commit, not one per key, after a burst of distinct keys).
   */
  async touchLastUsed(uses: ReadonlyMap<string, string>): Promise<void> {
    if (uses.size === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (const [id, at] of uses) {
        await trx
          .updateTable('api_keys')
          .set({ last_used_at: at })
          .where('id', '=', id)
          .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', at)]))
          .execute();
      }
    });
  }
}
