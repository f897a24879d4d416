// Acts on a leak report (SPEC §10): for each reported token, is it a key of this deployment? A
// look-alike (wrong shape, another prefix, a bad CRC-32) is a false positive decided offline, with
// no storage lookup; a real key — found by its id and matched by its HMAC in constant time, as
// verifyKey does — is a true positive even if it was revoked already. A true positive is revoked
// at once (a rotation's grace period ends now), audited, announced on the key events (this node's
// cache drops it, the Redis bus tells every other node) and handed to `onKeyLeaked`.
// The token itself is never stored, logged or passed on: only its SHA-256 goes back to GitHub.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { parseKey } from '../core/key-format.js';
import { constantTimeEqualHex } from '../crypto/secret-hash.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import type { Storage, StorageTransaction } from '../storage/storage.js';
import type { KeyEvents } from './key-events.js';

export interface LeakReportItem {
  token: string;
  type: string;
  url?: string;
  source?: string;
}

export type LeakLabel = 'true_positive' | 'false_positive';

/** GitHub's answer entry: https://docs.github.com/code-security/secret-scanning/secret-scanning-partner-program */
export interface LeakVerdict {
  token_hash: string;
  token_type: string;
  label: LeakLabel;
}

export interface KeyLeakedData {
  key_id: string;
  key_prefix: string;
  url: string | null;
  source: string | null;
}

/** Told of every leaked key of an account (the events room publishes `key.leaked`). */
export type OnKeyLeaked = (accountId: string, data: KeyLeakedData) => void | Promise<void>;

/** Who the audit trail names for these revocations. */
export const LEAK_REPORTER = 'github_secret_scanning';

export interface LeakedKeyIntakeOptions {
  storage: Pick<Storage, 'apiKeys' | 'transaction'>;
  /** The deployment's key prefix and its key HMAC (KeyService). */
  keys: { prefix: string; hash(key: string): string; withStorage(tx: StorageTransaction): { revoke(record: ApiKeyRecord, at: string): Promise<boolean> } };
  keyEvents: Pick<KeyEvents, 'changed'>;
  onKeyLeaked: OnKeyLeaked;
  logger: Pick<Logger, 'warn'>;
}

/** Hex SHA-256 of the token, the `token_hash` GitHub matches its report against. */
export function githubTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class LeakedKeyIntake {
  constructor(private readonly options: LeakedKeyIntakeOptions) {}

  async report(items: readonly LeakReportItem[], context: { requestId: string; now?: Date }): Promise<LeakVerdict[]> {
    // A token reported twice in one batch is judged (and revoked, announced) once.
    const labels = new Map<string, LeakLabel>();
    const verdicts: LeakVerdict[] = [];
    for (const item of items) {
      let label = labels.get(item.token);
      if (label === undefined) {
        label = await this.judge(item, context.requestId, context.now ?? new Date());
        labels.set(item.token, label);
      }
      verdicts.push({ token_hash: githubTokenHash(item.token), token_type: item.type, label });
    }
    return verdicts;
  }

  private async judge(item: LeakReportItem, requestId: string, now: Date): Promise<LeakLabel> {
    const { storage, keys } = this.options;
    const parsed = parseKey(item.token, keys.prefix);
    if (!parsed.ok) return 'false_positive';
    const record = await storage.apiKeys.findById(`key_${parsed.key.keyId}`);
    if (!record || !constantTimeEqualHex(record.secretHash, keys.hash(item.token))) return 'false_positive';
    await this.revoke(record, item, requestId, now);
    return 'true_positive';
  }

  private async revoke(record: ApiKeyRecord, item: LeakReportItem, requestId: string, now: Date): Promise<void> {
    const at = now.toISOString();
    const url = item.url ?? null;
    const source = item.source ?? null;
    await this.options.storage.transaction(async (tx) => {
      // Through the key service, so the owner's webhooks hear key.revoked as for any revocation.
      const revoked = await this.options.keys.withStorage(tx).revoke(record, at);
      await tx.audit.record(
        {
          accountId: record.accountId,
          actorType: 'system',
          actorId: LEAK_REPORTER,
          action: 'key.leaked',
          targetType: 'api_key',
          targetId: record.id,
          // `revoked`: false when the key had been revoked before this report.
          data: { key_prefix: record.keyPrefix, token_type: item.type, url, source, revoked },
          requestId,
        },
        now,
      );
    });
    this.options.keyEvents.changed(record.id);
    try {
      await this.options.onKeyLeaked(record.accountId, { key_id: record.id, key_prefix: record.keyPrefix, url, source });
    } catch (error) {
      // The key is revoked and audited already; a failed notification must not turn into a 500
      // that makes GitHub resend the report.
      this.options.logger.warn({ keyId: record.id, err: { message: (error as Error).message } }, 'key leaked notification failed');
    }
  }
}
