// Minting, hashing, revoking and revealing API keys (verifying one is src/keys/verify-key.ts, over the key cache). The full key exists in memory only while it
// is created and returned once; at rest there is its HMAC, and for recoverable keys an AES-GCM
// ciphertext whose associated data names the row and its creator. Minting and revoking publish
// key.created / key.rotated / key.revoked (SPEC §9) on the same storage handle, so inside a
// transaction the event commits with the change it reports.
import { generateKey, type KeyEnvironment } from '../core/key-format.js';
import { open, seal } from '../crypto/envelope.js';
import type { DerivedSecrets } from '../crypto/master-key.js';
import { constantTimeEqualHex, hmacHex } from '../crypto/secret-hash.js';
import { keyState } from '../core/key-state.js';
import type { ApiKeyRecord, CheckedKey, KeyRateLimit } from '../storage/api-keys.js';
import type { StorageTransaction } from '../storage/storage.js';
import type { EventPublisher } from '../events/event-publisher.js';

export interface MintKeyInput {
  accountId: string;
  createdBy: string | null;
  kind: ApiKeyRecord['kind'];
  name: string | null;
  environment: KeyEnvironment;
  expiresAt: string | null;
  allowedOrigins: string[];
  scopes: string[];
  models: string[] | null;
  rateLimit: KeyRateLimit | null;
  /** Canonical CIDR blocks; none when left out. */
  allowedIps?: string[] | undefined;
  metadata?: Record<string, string> | undefined;
  isDefault: boolean;
  recoverable: boolean;
  rotatedFrom: string | null;
}

export type KeyCheck =
  | { ok: true; key: CheckedKey }
  | { ok: false; code: 'invalid_api_key'; reason: 'malformed' | 'bad_checksum' | 'wrong_prefix' | 'unknown' | 'revoked' | 'expired' };

export class KeyService {
  private readonly hmacSecret: Buffer;

  constructor(
    private readonly storage: StorageTransaction,
    private readonly secrets: DerivedSecrets,
    readonly prefix: string,
    private readonly events?: EventPublisher,
  ) {
    this.hmacSecret = secrets.derive('api-key-hmac');
  }

  /** The same service over another storage handle (a transaction). */
  withStorage(storage: StorageTransaction): KeyService {
    return new KeyService(storage, this.secrets, this.prefix, this.events);
  }

  /** Revokes every live key a user created (they are deleting themselves), announcing each; the ids revoked. */
  async revokeAllByCreator(userId: string, at: string): Promise<string[]> {
    const mine = [...(await this.storage.apiKeys.listByCreator(userId, 'personal')), ...(await this.storage.apiKeys.listByCreator(userId, 'org'))];
    const revoked = await this.storage.apiKeys.revokeAllByCreator(userId, at);
    for (const record of mine.filter((k) => revoked.includes(k.id))) {
      await this.events?.publish(record.accountId, 'key.revoked', { ...keyEventData(record), revoked_at: at }, this.storage);
    }
    return revoked;
  }

  /** Revokes the key now; false (and no event) when it was revoked already. */
  async revoke(record: ApiKeyRecord, at: string): Promise<boolean> {
    if (!(await this.storage.apiKeys.revoke(record.id, at, at))) return false;
    await this.events?.publish(record.accountId, 'key.revoked', { ...keyEventData(record), revoked_at: at }, this.storage);
    return true;
  }

  hash(key: string): string {
    return hmacHex(this.hmacSecret, key);
  }

  private associatedData(keyId: string, createdBy: string): string {
    return `tollgate/api-key/${keyId}/${createdBy}`;
  }

  async mint(input: MintKeyInput, now = new Date()): Promise<{ record: ApiKeyRecord; key: string }> {
    // 8 base62 chars of id: collisions are rare but possible, so a clash is retried with a new key.
    for (let attempt = 0; ; attempt++) {
      const { key, parsed } = generateKey(this.prefix, input.environment);
      const id = `key_${parsed.keyId}`;
      if (attempt < 4 && (await this.storage.apiKeys.findById(id))) continue;
      const at = now.toISOString();
      const record: ApiKeyRecord = {
        id,
        accountId: input.accountId,
        createdBy: input.createdBy,
        kind: input.kind,
        name: input.name,
        keyPrefix: parsed.keyPrefix,
        environment: input.environment,
        secretHash: this.hash(key),
        encryptedKey:
          input.recoverable && input.createdBy
            ? seal(this.secrets.derive('key-recovery', input.createdBy), key, this.associatedData(id, input.createdBy))
            : null,
        expiresAt: input.expiresAt,
        allowedOrigins: input.allowedOrigins,
        scopes: input.scopes,
        models: input.models,
        rateLimit: input.rateLimit,
        allowedIps: input.allowedIps ?? [],
        metadata: input.metadata ?? {},
        isDefault: input.isDefault,
        rotatedFrom: input.rotatedFrom,
        revokedAt: null,
        lastUsedAt: null,
        createdAt: at,
        updatedAt: at,
      };
      await this.storage.apiKeys.insert(record);
      if (record.rotatedFrom) await this.events?.publish(record.accountId, 'key.rotated', { ...keyEventData(record), rotated_from: record.rotatedFrom }, this.storage);
      else await this.events?.publish(record.accountId, 'key.created', keyEventData(record), this.storage);
      return { record, key };
    }
  }

  /** The plaintext of a recoverable key, or null if it has none or its ciphertext does not belong to this row. */
  reveal(record: ApiKeyRecord): string | null {
    if (!record.encryptedKey || !record.createdBy) return null;
    const key = open(this.secrets.derive('key-recovery', record.createdBy), record.encryptedKey, this.associatedData(record.id, record.createdBy));
    // Belt and braces: the plaintext must also hash to this row's hash.
    return key !== null && constantTimeEqualHex(record.secretHash, this.hash(key)) ? key : null;
  }
}

/** What every key event says about its key: never the key, its hash or its ciphertext. */
function keyEventData(record: ApiKeyRecord): Record<string, unknown> {
  return {
    key_id: record.id,
    name: record.name,
    key_prefix: record.keyPrefix,
    kind: record.kind,
    environment: record.environment,
    created_by: record.createdBy,
    expires_at: record.expiresAt,
  };
}

/** The pure part of the key check (verify-key.ts): the presented key's hash against the row, then its state. */
export function decideKey(record: CheckedKey | undefined, presentedHash: string, now: string): KeyCheck {
  if (!record || !constantTimeEqualHex(record.secretHash, presentedHash)) return { ok: false, code: 'invalid_api_key', reason: 'unknown' };
  const state = keyState(record, now);
  return state === 'active' ? { ok: true, key: record } : { ok: false, code: 'invalid_api_key', reason: state };
}
