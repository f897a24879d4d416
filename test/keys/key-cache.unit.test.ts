// The key cache: positive and negative entries, bounded, dropped on change events, never trusted
// past its maximum age (SPEC §2: 30 s when the invalidation channel is down), and never caching a
// row read before a concurrent drop.
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { KeyCache } from '../../src/keys/key-cache.js';
import type { ApiKeyRecord } from '../../src/storage/api-keys.js';
import type { Storage } from '../../src/storage/storage.js';

/** A whole row as storage returns it: fresh strings and fresh (empty) lists, as a driver builds them. */
function keyRow(fields: Partial<ApiKeyRecord> & { id: string }): ApiKeyRecord {
  const fresh = (text: string) => [...text].join('');
  return {
    accountId: 'acc_1',
    createdBy: null,
    kind: fresh('personal') as 'personal',
    name: null,
    keyPrefix: 'tg_live_abcd',
    environment: fresh('live') as 'live',
    secretHash: 'hash',
    encryptedKey: null,
    expiresAt: null,
    allowedOrigins: [],
    scopes: [],
    models: null,
    rateLimit: null,
    allowedIps: [],
    metadata: {},
    isDefault: false,
    rotatedFrom: null,
    revokedAt: null,
    lastUsedAt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...fields,
  };
}

function fakeStorage(rows: Map<string, Partial<ApiKeyRecord>>) {
  let reads = 0;
  let release: (() => void) | undefined;
  const storage = {
    apiKeys: {
      async findById(id: string) {
        reads++;
        if (release === undefined && (storage as { hold?: boolean }).hold) await new Promise<void>((resolve) => (release = resolve));
        const row = rows.get(id);
        return row ? keyRow({ id, ...row }) : undefined;
      },
    },
    users: { findById: async () => undefined },
  };
  return { storage: storage as unknown as Storage & { hold?: boolean }, reads: () => reads, release: () => release?.() };
}

/** V8's own answer to "do these two objects share one hidden class?" (natives syntax, enabled here only). */
function sameHiddenClass(a: object, b: object): boolean {
  setFlagsFromString('--allow-natives-syntax');
  return (new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean)(a, b);
}

/** Used heap after a full collection (the ids the test holds are made before the first reading). */
function heapAfterCollection(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return getHeapStatistics().used_heap_size;
}

describe('KeyCache', () => {
  it('keeps its entries in one shape: 100k cached keys must not mean 100k hidden classes', async () => {
    // The shape of an entry is settled after its construction site has run a few times (V8's inline
    // caches), so this fills the cache with a hundred keys, one in five unknown, and compares the last two.
    const ids = Array.from({ length: 100 }, (_, i) => `key_${i}`);
    const fake = fakeStorage(new Map(ids.filter((_, i) => i % 5 !== 0).map((id) => [id, { accountId: `acc_${id}` }])));
    const cache = new KeyCache(fake.storage, { maxEntries: 1_000, maxAgeMs: () => 30_000 });
    for (const id of ids) await cache.lookup(id);
    const [a, b] = [await cache.lookup('key_98'), await cache.lookup('key_99')];
    expect(fake.reads()).toBe(100); // answered from the cache: these are its entries
    expect(sameHiddenClass(a, b)).toBe(true);
  });

  it('keeps the fields a key check uses and no others, with the lists most keys leave empty held once and frozen', async () => {
    const rows = new Map<string, Partial<ApiKeyRecord>>([
      ['key_a', { name: 'laptop', encryptedKey: 'ciphertext' }],
      ['key_b', { kind: 'org', environment: 'test', scopes: ['chat'], models: [], allowedOrigins: ['https://app.example.com'], metadata: { team: 'a' }, revokedAt: '2027-01-01T00:00:00.000Z' }],
    ]);
    const fake = fakeStorage(rows);
    const cache = new KeyCache(fake.storage, { maxEntries: 10, maxAgeMs: () => 30_000 });
    const [a, b] = [(await cache.lookup('key_a')).record!, (await cache.lookup('key_b')).record!];
    const checked = (row: ApiKeyRecord) => ({
      id: row.id, accountId: row.accountId, createdBy: row.createdBy, kind: row.kind, environment: row.environment, secretHash: row.secretHash,
      expiresAt: row.expiresAt, revokedAt: row.revokedAt, allowedOrigins: row.allowedOrigins, scopes: row.scopes, models: row.models, rateLimit: row.rateLimit, metadata: row.metadata,
    });
    // toStrictEqual: a field the cache kept beyond these (the name, the ciphertext, the timestamps) fails it.
    expect(a).toStrictEqual(checked(keyRow({ id: 'key_a', ...rows.get('key_a') })));
    expect(b).toStrictEqual(checked(keyRow({ id: 'key_b', ...rows.get('key_b') })));
    // Shared: one empty list for every key without scopes, origins or models, and one empty metadata.
    expect(a.scopes).toBe(a.allowedOrigins);
    expect(a.scopes).toBe(b.models);
    expect(Object.isFrozen(a.scopes) && Object.isFrozen(a.metadata)).toBe(true);
    expect(() => a.scopes.push('chat')).toThrow(TypeError);
    expect((await cache.lookup('key_a')).record!.scopes).toEqual([]);
    // Lists that hold something are the row's own.
    expect(b.scopes).toEqual(['chat']);
    expect(b.metadata).toEqual({ team: 'a' });
  });

  it('holds 20,000 cached keys of one account in under 400 bytes of heap each', async () => {
    // Rows as a driver returns them: every string a fresh copy, the 64-hex hash and the times included.
    // Before the cache kept only the checked fields, with one copy of the account and creator ids,
    // this was ≈ 700 bytes a key (70 MB for the 100k keys of the benchmark).
    const count = 20_000;
    const fresh = (text: string) => [...text].join('');
    const storage = {
      apiKeys: {
        findById: async (id: string) =>
          keyRow({
            id: fresh(id),
            accountId: fresh('acc_4IAJJH9LtArPLTtj'),
            createdBy: fresh('usr_8qfbffV1INvKiR3A'),
            keyPrefix: fresh(`tg_live_${id.slice(4, 12)}`),
            secretHash: fresh(id.padEnd(64, '0')),
            createdAt: fresh('2026-12-01T10:58:29.426Z'),
            updatedAt: fresh('2026-12-01T10:58:29.426Z'),
          }),
      },
      users: { findById: async () => ({ isActive: true }) },
    } as unknown as Storage;
    const ids = Array.from({ length: count }, (_, i) => `key_${String(i).padStart(8, '0')}`);
    const cache = new KeyCache(storage, { maxEntries: count, maxAgeMs: () => 30_000 });
    const before = heapAfterCollection();
    for (const id of ids) await cache.lookup(id);
    const perKey = (heapAfterCollection() - before) / count;
    expect(cache.size).toBe(count);
    expect(perKey).toBeLessThan(400);
  });

  it('serves repeated lookups, found or not, from memory', async () => {
    const fake = fakeStorage(new Map([['key_a', { accountId: 'acc_1' }]]));
    const cache = new KeyCache(fake.storage, { maxEntries: 10, maxAgeMs: () => 30_000 });
    expect((await cache.lookup('key_a')).record?.accountId).toBe('acc_1');
    expect((await cache.lookup('key_a')).record?.accountId).toBe('acc_1');
    expect((await cache.lookup('key_missing')).record).toBeUndefined();
    expect((await cache.lookup('key_missing')).record).toBeUndefined();
    expect(fake.reads()).toBe(2);
  });

  it('re-reads an entry older than the maximum age', async () => {
    let now = 0;
    const fake = fakeStorage(new Map([['key_a', {}]]));
    const cache = new KeyCache(fake.storage, { maxEntries: 10, maxAgeMs: () => 30_000, nowMs: () => now });
    await cache.lookup('key_a');
    now = 29_999;
    await cache.lookup('key_a');
    expect(fake.reads()).toBe(1);
    now = 30_000;
    await cache.lookup('key_a');
    expect(fake.reads()).toBe(2);
  });

  it('drops an entry on a change event and stays bounded', async () => {
    const fake = fakeStorage(new Map());
    const cache = new KeyCache(fake.storage, { maxEntries: 3, maxAgeMs: () => 30_000 });
    for (const id of ['key_1', 'key_2', 'key_3', 'key_4']) await cache.lookup(id);
    expect(cache.size).toBe(3);
    cache.drop('key_4');
    await cache.lookup('key_4');
    expect(fake.reads()).toBe(5);
  });

  it('shares one storage read between concurrent lookups, and does not cache a read that a drop overtook', async () => {
    const fake = fakeStorage(new Map([['key_a', {}]]));
    fake.storage.hold = true;
    const cache = new KeyCache(fake.storage, { maxEntries: 10, maxAgeMs: () => 30_000 });
    const first = cache.lookup('key_a');
    const second = cache.lookup('key_a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    cache.drop('key_a');
    fake.release();
    await Promise.all([first, second]);
    expect(fake.reads()).toBe(1);
    fake.storage.hold = false;
    await cache.lookup('key_a');
    expect(fake.reads()).toBe(2);
  });
  it("compiles a key's allowed_ips once per entry, and again after a change drops it", async () => {
    const rows = new Map<string, Partial<ApiKeyRecord>>([['key_a', { allowedIps: ['10.0.0.0/8'] }], ['key_open', {}]]);
    const cache = new KeyCache(fakeStorage(rows).storage, { maxEntries: 10, maxAgeMs: () => 30_000 });
    const first = await cache.lookup('key_a');
    expect(first.allowedIps?.check('10.1.2.3', 'ipv4')).toBe(true);
    expect((await cache.lookup('key_a')).allowedIps).toBe(first.allowedIps);
    expect((await cache.lookup('key_open')).allowedIps).toBeNull();
    rows.set('key_a', { allowedIps: ['127.0.0.1/32'] });
    cache.drop('key_a');
    const changed = (await cache.lookup('key_a')).allowedIps;
    expect(changed?.check('10.1.2.3', 'ipv4')).toBe(false);
    expect(changed?.check('127.0.0.1', 'ipv4')).toBe(true);
  });
});
