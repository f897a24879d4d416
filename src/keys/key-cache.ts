// The data plane's key lookup cache: key rows by key id, positive and negative ("no such id"), with
// whether the key's creator is still active. It stores rows, never decisions: every request still
// hashes the presented key and compares it in constant time (decideKey), so a cached row can never
// vouch for a forged secret. Entries are dropped at once on a key-change event (this node directly,
// other nodes through the Redis bus), and are never trusted for longer than `maxAgeMs()` — 30 s
// whenever the invalidation channel is absent or down (SPEC §2). A key's allowed client addresses
// are compiled into a BlockList once, when its entry is built, not on every request; a patch of
// them is a key-change event like any other, so the entry is rebuilt on the next lookup.
import type { BlockList } from 'node:net';
import { compileAllowedIps } from '../core/ip-allowlist.js';
import type { ApiKeyRecord, CheckedKey } from '../storage/api-keys.js';
import type { Storage } from '../storage/storage.js';
import { LruMap } from '../core/lru-map.js';

export interface KeyLookup {
  record: CheckedKey | undefined;
  /** False when the key's creator has been deactivated or deleted (org keys with no creator: true). */
  creatorActive: boolean;
  /** The key's allowed_ips, ready to match; null when it has none (any address). */
  allowedIps: BlockList | null;
}

interface Entry extends KeyLookup {
  fetchedAtMs: number;
}

export interface KeyCacheOptions {
  maxEntries: number;
  /** How long an entry may be trusted right now (depends on the invalidation channel's health). */
  maxAgeMs: () => number;
  onLookup?: (result: 'hit' | 'miss') => void;
  nowMs?: () => number;
}

export class KeyCache {
  private readonly entries: LruMap<string, Entry>;
  private readonly inFlight = new Map<string, Promise<KeyLookup>>();
  /** Bumped by every drop: a read that started before a drop must not be cached after it. */
  private generation = 0;
  private readonly nowMs: () => number;
  /** Account and user ids, one string each, however many of their keys are cached. */
  private readonly ids = new Interner(INTERNED_IDS);

  constructor(
    private readonly storage: Storage,
    private readonly options: KeyCacheOptions,
  ) {
    this.entries = new LruMap(options.maxEntries);
    // Read Date.now at each call, not once: a test that moves the clock (vi.setSystemTime) moves ours.
    this.nowMs = options.nowMs ?? (() => Date.now());
  }

  async lookup(keyId: string): Promise<KeyLookup> {
    const entry = this.entries.get(keyId);
    if (entry && this.nowMs() - entry.fetchedAtMs < this.options.maxAgeMs()) {
      this.options.onLookup?.('hit');
      return entry;
    }
    this.options.onLookup?.('miss');
    let pending = this.inFlight.get(keyId);
    if (!pending) {
      pending = this.fetch(keyId).finally(() => this.inFlight.delete(keyId));
      this.inFlight.set(keyId, pending);
    }
    return pending;
  }

  private async fetch(keyId: string): Promise<KeyLookup> {
    const generation = this.generation;
    const fetchedAtMs = this.nowMs();
    const record = await this.storage.apiKeys.findById(keyId);
    let creatorActive = true;
    if (record?.createdBy) creatorActive = (await this.storage.users.findById(record.createdBy))?.isActive ?? false;
    const allowedIps = record ? compileAllowedIps(record.allowedIps) : null;
    // A literal, never `{ ...lookup, fetchedAtMs }`: V8 gave every object built by that spread its own
    // hidden class once the site had run a few times: about 230 bytes of shape data per cached key.
    const entry: Entry = { record: record && this.compact(record, keyId), creatorActive, allowedIps, fetchedAtMs };
    if (generation === this.generation) this.entries.set(keyId, entry);
    return entry;
  }

  /**
   * The row as the cache keeps it, up to 100k of them (≈ 330 bytes each with the cache's own
   * bookkeeping, where whole rows cost ≈ 620): the checked fields only, in one object literal (a row from the driver is built field by field and keeps most fields
   * in a separate array); its id the very string the entry is filed under; the account and creator
   * ids one string per account and user instead of one per key; the two enumerations the program's
   * own strings; the empty lists and metadata shared.
   */
  private compact(record: ApiKeyRecord, keyId: string): CheckedKey {
    return {
      id: record.id === keyId ? keyId : record.id,
      accountId: this.ids.intern(record.accountId),
      createdBy: record.createdBy === null ? null : this.ids.intern(record.createdBy),
      kind: record.kind === 'org' ? 'org' : 'personal',
      environment: record.environment === 'test' ? 'test' : 'live',
      secretHash: record.secretHash,
      expiresAt: record.expiresAt,
      revokedAt: record.revokedAt,
      allowedOrigins: shared(record.allowedOrigins),
      scopes: shared(record.scopes),
      models: record.models && shared(record.models),
      rateLimit: record.rateLimit,
      metadata: Object.keys(record.metadata).length === 0 ? NO_METADATA : record.metadata,
    };
  }

  /** Forgets one key (revoked, rotated, changed, or its creator deactivated). */
  drop(keyId: string): void {
    this.generation++;
    this.entries.delete(keyId);
    this.inFlight.delete(keyId);
  }

  /** Forgets everything: after the invalidation channel reconnects, events may have been missed. */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.inFlight.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}

// What most cached keys share, held once: no origins, scopes, models list or metadata. Frozen, so a
// caller that tried to change one would throw instead of changing every key's.
const NONE: string[] = Object.freeze([]) as unknown as string[];
const NO_METADATA: Record<string, string> = Object.freeze({}) as Record<string, string>;

function shared(list: string[]): string[] {
  return list.length === 0 ? NONE : list;
}

/** Distinct ids the interner holds before it starts again (a start-over only costs copies). */
const INTERNED_IDS = 50_000;

/**
 * One copy of each equal string: the driver returns a fresh string per row, so 100k keys of one
 * account would otherwise hold 100k copies of its id. Bounded: past `limit` ids it forgets them all.
 */
class Interner {
  private readonly strings = new Map<string, string>();

  constructor(private readonly limit: number) {}

  intern(value: string): string {
    const held = this.strings.get(value);
    if (held !== undefined) return held;
    if (this.strings.size >= this.limit) this.strings.clear();
    this.strings.set(value, value);
    return value;
  }
}
