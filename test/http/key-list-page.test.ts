// Cursor pagination and search of both key listings (SPEC §8 "Listing at scale"): the personal keys
// (oldest first, the body an array) and the org proxy keys of /admin/keys (newest first, the body an
// object carrying next_cursor), on every storage target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { createKey, signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { createTeam } from '../support/accounts-fixtures.js';
import { SEARCH_SCAN_ROWS } from '../../src/storage/api-keys.js';

interface Listed {
  id: string;
  name: string | null;
  created_at: string;
  key_prefix?: string;
  prefix?: string;
}

for (const target of databaseTargets()) {
  describe(`key listings page and search on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    /** Every page of a listing from `url`, following Link headers; the rows in the order served. */
    async function walk(first: string, headers: Record<string, string>, between: () => Promise<void> = async () => {}): Promise<{ rows: Listed[]; pages: number }> {
      const rows: Listed[] = [];
      let url: string | undefined = first;
      let pages = 0;
      while (url) {
        const response = await gw.app.inject({ url, headers });
        expect(response.statusCode).toBe(200);
        const body = response.json();
        const page: Listed[] = Array.isArray(body) ? body : body.keys;
        rows.push(...page);
        pages += 1;
        const link = response.headers.link as string | undefined;
        const cursor = response.headers['x-next-cursor'] as string | undefined;
        if (!Array.isArray(body)) expect(body.next_cursor).toBe(cursor ?? null);
        if (cursor) {
          const next = /^<([^>]+)>; rel="next"$/.exec(link ?? '')?.[1];
          expect(next).toBeDefined();
          expect(new URL(next!, 'http://x').searchParams.get('cursor')).toBe(cursor);
          url = next;
          await between();
        } else {
          expect(link).toBeUndefined();
          url = undefined;
        }
        expect(pages).toBeLessThan(50);
      }
      return { rows, pages };
    }

    async function mintOrg(owner: SignedIn, accountId: string, name: string): Promise<Listed> {
      const response = await gw.app.inject({ method: 'POST', url: '/admin/keys', headers: { ...owner.auth, 'x-account-id': accountId }, payload: { name } });
      expect(response.statusCode).toBe(201);
      rememberSecret(response.json().secret);
      return response.json().key;
    }

    it('pages through personal keys oldest first, each exactly once, keys created between pages coming last', async () => {
      const user = await signUp(gw.app);
      const created: string[] = [];
      for (let i = 0; i < 17; i++) created.push((await createKey(gw.app, user, { name: `key ${i}` })).id);
      const late: string[] = [];
      const { rows, pages } = await walk('/api/v1/auth/keys?limit=5', user.auth, async () => {
        late.push((await createKey(gw.app, user, { name: 'late' })).id);
      });
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.slice(0, 17)).toEqual(created);
      // Keys minted while paging sort after the cursor and show up on later pages, never twice.
      expect(ids.slice(17).sort()).toEqual(late.slice(0, ids.length - 17).sort());
      expect(pages).toBeGreaterThanOrEqual(4);
      const times = rows.map((r) => r.created_at);
      expect([...times].sort()).toEqual(times);
    });

    it('pages through org keys newest first, each exactly once, while keys are minted between pages', async () => {
      const owner = await signUp(gw.app);
      const accountId = await createTeam(gw.app, owner);
      const created: string[] = [];
      for (let i = 0; i < 12; i++) created.push((await mintOrg(owner, accountId, `proxy ${i}`)).id);
      const headers = { ...owner.auth, 'x-account-id': accountId };
      const { rows } = await walk('/admin/keys?limit=4', headers, async () => {
        await mintOrg(owner, accountId, 'late');
      });
      // Newer keys sort before the cursor: the walk sees the original twelve, newest first, once each.
      expect(rows.map((r) => r.id)).toEqual([...created].reverse());
    });

    it('answers 100 keys by default, and at most 1000 a page', async () => {
      const user = await signUp(gw.app);
      expect((await gw.app.inject({ url: '/api/v1/auth/keys?limit=1001', headers: user.auth })).statusCode).toBe(422);
      expect((await gw.app.inject({ url: '/api/v1/auth/keys?limit=0', headers: user.auth })).statusCode).toBe(422);
      for (let i = 0; i < 101; i++) await createKey(gw.app, user, { name: `bulk ${i}` });
      const first = await gw.app.inject({ url: '/api/v1/auth/keys', headers: user.auth });
      expect(first.json()).toHaveLength(100);
      expect(first.headers['x-next-cursor']).toEqual(expect.any(String));
    });

    it('finds keys by a case-insensitive substring of the name, or by the start of their prefix', async () => {
      const user = await signUp(gw.app);
      const billing = await createKey(gw.app, user, { name: 'Billing Service' });
      const rebill = await createKey(gw.app, user, { name: 'nightly-REBILL' });
      const other = await createKey(gw.app, user, { name: 'search 100%_done' });
      const search = async (term: string) => ((await gw.app.inject({ url: `/api/v1/auth/keys?search=${encodeURIComponent(term)}`, headers: user.auth })).json() as Listed[]).map((k) => k.id);
      expect(await search('BILL')).toEqual([billing.id, rebill.id]);
      expect(await search('ing ser')).toEqual([billing.id]);
      expect(await search(other.key_prefix.slice(0, 12))).toEqual([other.id]);
      // LIKE's wildcards are matched as themselves.
      expect(await search('%_')).toEqual([other.id]);
      expect(await search('_')).toEqual([other.id]);
      expect(await search('nothing like it')).toEqual([]);
      // A search pages like the listing: the Link carries the search on.
      const paged = await gw.app.inject({ url: '/api/v1/auth/keys?search=bill&limit=1', headers: user.auth });
      expect(paged.json().map((k: Listed) => k.id)).toEqual([billing.id]);
      const next = /^<([^>]+)>/.exec(paged.headers.link as string)![1]!;
      expect(new URL(next, 'http://x').searchParams.get('search')).toBe('bill');
      expect((await gw.app.inject({ url: next, headers: user.auth })).json().map((k: Listed) => k.id)).toEqual([rebill.id]);
    });

    it('searches org keys by name and prefix, within the account only', async () => {
      const owner = await signUp(gw.app);
      const accountId = await createTeam(gw.app, owner);
      const mine = await mintOrg(owner, accountId, 'Edge Proxy');
      const stranger = await signUp(gw.app);
      const theirs = await mintOrg(stranger, await createTeam(gw.app, stranger), 'Edge Proxy');
      const headers = { ...owner.auth, 'x-account-id': accountId };
      const found = (await gw.app.inject({ url: '/admin/keys?search=edge%20PROXY', headers })).json();
      expect(found).toEqual({ keys: [expect.objectContaining({ id: mine.id })], next_cursor: null });
      expect((await gw.app.inject({ url: `/admin/keys?search=${theirs.prefix}`, headers })).json().keys).toEqual([]);
      expect((await gw.app.inject({ url: `/admin/keys?search=${mine.prefix}`, headers })).json().keys).toEqual([expect.objectContaining({ id: mine.id })]);
    });

    it('bounds the keys one search request examines, and pages on to every match, each once', async () => {
      const user = await signUp(gw.app);
      const account = (await gw.services.storage.accounts.findPersonal(user.userId))!;
      const first = await createKey(gw.app, user, { name: 'needle one' });
      // SEARCH_SCAN_ROWS + 2 keys that do not match, written straight to storage (minting them one by
      // one through the API would only slow the suite down; revoked, as a user may hold only 1,000 active keys), then a second match.
      const at = new Date().toISOString();
      const filler = Array.from({ length: SEARCH_SCAN_ROWS + 2 }, (_, i) => i);
      for (let i = 0; i < filler.length; i += 500) {
        await gw.services.storage.db
          .insertInto('api_keys')
          .values(filler.slice(i, i + 500).map((n) => ({ id: `key_f${String(n).padStart(7, '0')}`, account_id: account.id, created_by: user.userId, kind: 'personal', name: `hay ${n}`, key_prefix: `tg_live_f${String(n).padStart(7, '0')}`, environment: 'live', secret_hash: `h${n}`, allowed_origins: '[]', allowed_ips: '[]', scopes: '[]', metadata: '{}', is_default: 0 as const, revoked_at: at, created_at: at, updated_at: at })))
          .execute();
      }
      await new Promise((resolve) => setTimeout(resolve, 2)); // the next key's created_at must come later than the filler's
      const last = await createKey(gw.app, user, { name: 'needle two' });
      const { rows, pages } = await walk('/api/v1/auth/keys?search=needle&limit=10', user.auth);
      expect(rows.map((r) => r.id)).toEqual([first.id, last.id]);
      // The filler is more than one page's scan: the walk took a page that held no match at all.
      expect(pages).toBeGreaterThanOrEqual(2);
    });

    it('refuses a cursor it did not write with a 422 naming the field', async () => {
      const user = await signUp(gw.app);
      for (const cursor of ['nonsense!', 'WzEsMl0', Buffer.from('["not a time","key_x"]').toString('base64url')]) {
        const response = await gw.app.inject({ url: `/api/v1/auth/keys?cursor=${encodeURIComponent(cursor)}`, headers: user.auth });
        expect(response.statusCode).toBe(422);
        expect(response.json().errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
      }
      const owner = await signUp(gw.app);
      const accountId = await createTeam(gw.app, owner);
      const response = await gw.app.inject({ url: '/admin/keys?cursor=WzEsMl0', headers: { ...owner.auth, 'x-account-id': accountId } });
      expect(response.statusCode).toBe(422);
      expect(response.json().errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
    });

    it("never shows another user's keys through a cursor", async () => {
      const alice = await signUp(gw.app);
      const bob = await signUp(gw.app);
      await createKey(gw.app, alice, { name: 'a1' });
      await createKey(gw.app, alice, { name: 'a2' });
      const bobs = await createKey(gw.app, bob, { name: 'b1' });
      const cursor = (await gw.app.inject({ url: '/api/v1/auth/keys?limit=1', headers: alice.auth })).headers['x-next-cursor'] as string;
      const listed = (await gw.app.inject({ url: `/api/v1/auth/keys?cursor=${cursor}`, headers: bob.auth })).json() as Listed[];
      expect(listed.every((k) => k.id === bobs.id)).toBe(true);
    });
  });
}
