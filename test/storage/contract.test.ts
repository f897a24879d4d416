// One repository contract, run on every database target: SQLite always, PostgreSQL when
// TOLLGATE_TEST_DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/core/ids.js';
import type { ApiKeyRecord } from '../../src/storage/api-keys.js';
import { connectDatabase, migrateToLatest, migrationsCurrent, type DatabaseHandle } from '../../src/storage/connect.js';
import { sqliteDriverFor } from '../../src/storage/sqlite-driver.js';
import { Storage } from '../../src/storage/storage.js';
import type { User } from '../../src/storage/users.js';
import { databaseTargets, releaseSchema, uniqueSchema } from '../support/databases.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const at = (offsetMs = 0) => new Date(Date.now() + offsetMs).toISOString();

function user(overrides: Partial<User> = {}): User {
  return { id: newId('usr'), email: `${newId('usr')}@example.com`, name: 'n', passwordHash: 'h', isActive: true, isOperator: false, tokenVersion: 0, createdAt: at(), updatedAt: at(), ...overrides };
}

function key(accountId: string, createdBy: string, overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = `key_${newId('key', 8).slice(4)}`;
  return {
    id, accountId, createdBy, kind: 'personal', name: 'k', keyPrefix: `tg_live_${id.slice(4)}`, environment: 'live', secretHash: 'ab'.repeat(32),
    encryptedKey: null, expiresAt: null, allowedOrigins: ['https://a.example'], scopes: ['chat'], models: null, rateLimit: { rpm: 5 },
    allowedIps: ['10.0.0.0/8', '2001:db8::/32'], metadata: { plan: 'pro', 'customer-id': 'c_42' },
    isDefault: false, rotatedFrom: null, revokedAt: null, lastUsedAt: null, createdAt: at(), updatedAt: at(), ...overrides,
  };
}

for (const target of databaseTargets()) {
  describe(`storage contract on ${target.name === 'sqlite' ? `sqlite (${sqliteDriverFor()})` : target.name}`, () => {
    let handle: DatabaseHandle;
    let storage: Storage;
    const schema = uniqueSchema();
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-contract-'));

    beforeAll(async () => {
      handle = await connectDatabase({ databaseUrl: target.databaseUrl, dataDir, schema: target.databaseUrl ? schema : undefined });
      expect(await migrationsCurrent(handle)).toBe(false);
      await migrateToLatest(handle);
      storage = new Storage(handle.db);
    });
    afterAll(async () => {
      await handle?.close();
      if (target.databaseUrl) await releaseSchema(target.databaseUrl, schema);
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('reports migrations current and applying them again does nothing', async () => {
      expect(await migrationsCurrent(handle)).toBe(true);
      expect(await migrateToLatest(handle)).toEqual([]);
    });

    it('stores users with case-insensitive unique emails', async () => {
      const u = user({ email: 'Mixed.Case@Example.com' });
      await storage.users.insert(u);
      expect((await storage.users.findByEmail('mixed.case@example.COM'))?.id).toBe(u.id);
      await expect(storage.users.insert(user({ email: 'MIXED.case@example.com' }))).rejects.toThrow();
    });

    it('bumps the token version on a password change', async () => {
      const u = user();
      await storage.users.insert(u);
      await storage.users.changePassword(u.id, 'h2', at());
      expect(await storage.users.findById(u.id)).toMatchObject({ passwordHash: 'h2', tokenVersion: 1 });
    });

    it('lists memberships with the personal account first and finds it', async () => {
      const u = user();
      await storage.users.insert(u);
      const team = { id: newId('acc'), name: 'Team', kind: 'team' as const, createdAt: at(-1000), updatedAt: at() };
      const personal = { id: newId('acc'), name: 'Me', kind: 'personal' as const, createdAt: at(), updatedAt: at() };
      await storage.accounts.insert(team);
      await storage.accounts.insert(personal);
      await storage.accounts.addMember({ accountId: team.id, userId: u.id, role: 'owner', createdAt: at(-1000) });
      await storage.accounts.addMember({ accountId: personal.id, userId: u.id, role: 'owner', createdAt: at() });
      const list = await storage.accounts.listForUser(u.id);
      expect(list.map((m) => m.account.kind)).toEqual(['personal', 'team']);
      expect((await storage.accounts.findPersonal(u.id))?.id).toBe(personal.id);
      expect(await storage.accounts.teamsSolelyOwnedBy(u.id)).toEqual([team.id]);
    });

    it('round-trips API keys, revokes once, and keeps a future revocation as a grace period', async () => {
      const u = user();
      await storage.users.insert(u);
      const account = { id: newId('acc'), name: 'A', kind: 'personal' as const, createdAt: at(), updatedAt: at() };
      await storage.accounts.insert(account);
      const k = key(account.id, u.id);
      await storage.apiKeys.insert(k);
      expect(await storage.apiKeys.findById(k.id)).toEqual(k);

      const later = at(60_000);
      expect(await storage.apiKeys.revoke(k.id, later, at())).toBe(true);
      expect((await storage.apiKeys.findById(k.id))?.revokedAt).toBe(later);
      // An earlier revocation replaces a later one; a later one never postpones an earlier one.
      const now = at();
      expect(await storage.apiKeys.revoke(k.id, now, now)).toBe(true);
      expect(await storage.apiKeys.revoke(k.id, later, now)).toBe(false);
      expect((await storage.apiKeys.findById(k.id))?.revokedAt).toBe(now);
    });

    it('keeps exactly one default key per user', async () => {
      const u = user();
      await storage.users.insert(u);
      const account = { id: newId('acc'), name: 'A', kind: 'personal' as const, createdAt: at(), updatedAt: at() };
      await storage.accounts.insert(account);
      const [a, b] = [key(account.id, u.id), key(account.id, u.id)];
      await storage.apiKeys.insert(a);
      await storage.apiKeys.insert(b);
      await storage.apiKeys.setDefault(u.id, a.id, at());
      await storage.apiKeys.setDefault(u.id, b.id, at());
      const keys = await storage.apiKeys.listByCreator(u.id, 'personal');
      expect(keys.filter((k) => k.isDefault).map((k) => k.id)).toEqual([b.id]);
    });

    it('never moves last_used_at backwards', async () => {
      const u = user();
      await storage.users.insert(u);
      const account = { id: newId('acc'), name: 'A', kind: 'personal' as const, createdAt: at(), updatedAt: at() };
      await storage.accounts.insert(account);
      const k = key(account.id, u.id);
      await storage.apiKeys.insert(k);
      const t2 = at(2000);
      await storage.apiKeys.touchLastUsed(new Map([[k.id, t2]]));
      await storage.apiKeys.touchLastUsed(new Map([[k.id, at(1000)]]));
      expect((await storage.apiKeys.findById(k.id))?.lastUsedAt).toBe(t2);
    });

    it("writes each key's own last-use time when one flush holds many keys", async () => {
      const u = user();
      await storage.users.insert(u);
      const account = { id: newId('acc'), name: 'A', kind: 'personal' as const, createdAt: at(), updatedAt: at() };
      await storage.accounts.insert(account);
      const keys = [key(account.id, u.id), key(account.id, u.id), key(account.id, u.id)];
      for (const k of keys) await storage.apiKeys.insert(k);
      const times = [at(1000), at(2000), at(3000), at(5000)];
      await storage.apiKeys.touchLastUsed(new Map([[keys[1]!.id, times[3]!]]));
      await storage.apiKeys.touchLastUsed(new Map(keys.map((k, i) => [k.id, times[i]!])));
      const stored = await Promise.all(keys.map(async (k) => (await storage.apiKeys.findById(k.id))?.lastUsedAt));
      expect(stored).toEqual([times[0], times[3], times[2]]);
    });

    it('lets exactly one of many concurrent rotations of a refresh token win', async () => {
      const u = user();
      await storage.users.insert(u);
      const token = { id: newId('rtk'), userId: u.id, familyId: newId('fam'), tokenHash: 'x', createdAt: at(), expiresAt: at(60_000), rotatedAt: null, replacedBy: null, revokedAt: null };
      await storage.refreshTokens.insert(token);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => storage.refreshTokens.markRotated(token.id, `rtk_next${i}`, at())));
      expect(results.filter(Boolean)).toHaveLength(1);
      await storage.refreshTokens.revokeFamily(token.familyId, at());
      expect(await storage.refreshTokens.liveFamilies(u.id, at())).toEqual([]);
    });

    it('upserts automation settings and keeps created_at', async () => {
      const u = user();
      await storage.users.insert(u);
      const created = at(-5000);
      const first = await storage.automation.findOrInsert({ userId: u.id, isEnabled: true, sessionDuration: 3600, createdAt: created, updatedAt: created });
      expect(first).toEqual({ userId: u.id, isEnabled: true, sessionDuration: 3600, createdAt: created, updatedAt: created });
      // A second first read (a race lost) answers with the stored row, not its own defaults.
      expect(await storage.automation.findOrInsert({ userId: u.id, isEnabled: false, sessionDuration: 60, createdAt: at(), updatedAt: at() })).toEqual(first);
      const saved = await storage.automation.upsert({ userId: u.id, isEnabled: false, sessionDuration: 120, createdAt: at(), updatedAt: at() });
      expect(saved).toMatchObject({ isEnabled: false, sessionDuration: 120, createdAt: created });
      expect(await storage.automation.find(u.id)).toEqual(saved);
    });

    it('pages audit events newest first', async () => {
      const accountId = newId('acc');
      for (let i = 0; i < 5; i++) await storage.audit.record({ accountId, actorType: 'system', actorId: null, action: `a${i}` });
      const first = await storage.audit.listByAccount(accountId, { limit: 2 });
      expect(first.events.map((e) => e.action)).toEqual(['a4', 'a3']);
      const second = await storage.audit.listByAccount(accountId, { limit: 2, before: first.nextCursor! });
      expect(second.events.map((e) => e.action)).toEqual(['a2', 'a1']);
      const third = await storage.audit.listByAccount(accountId, { limit: 2, before: second.nextCursor! });
      expect(third).toMatchObject({ nextCursor: null });
      expect(third.events.map((e) => e.action)).toEqual(['a0']);
    });

    it('holds budget spend in one statement: creates the period row, refuses past the limit, and a refusal holds nothing', async () => {
      const owner = newId('acc');
      const period = '2026-12-01T00:00:00.000Z';
      const spendOf = async () => (await storage.budgets.listSpend('account', [owner], [period]))[0];
      // More than the limit on a period with no row yet: refused, and no row is made.
      expect(await storage.budgets.hold('account', owner, period, 11, 10, at())).toBe(false);
      expect(await spendOf()).toBeUndefined();
      // Within it: the row is created with the hold.
      expect(await storage.budgets.hold('account', owner, period, 6, 10, at())).toBe(true);
      expect(await spendOf()).toMatchObject({ spent: 0, reserved: 6 });
      // 6 held + 5 > 10: refused, nothing added; 6 + 4 = 10: held.
      expect(await storage.budgets.hold('account', owner, period, 5, 10, at())).toBe(false);
      expect(await spendOf()).toMatchObject({ reserved: 6 });
      expect(await storage.budgets.hold('account', owner, period, 4, 10, at())).toBe(true);
      // Settled spend counts against the limit as holds do.
      await storage.budgets.settle({ scope: 'account', ownerId: owner, periodStart: period, amount: 4 }, 4, at());
      expect(await spendOf()).toMatchObject({ spent: 4, reserved: 6 });
      expect(await storage.budgets.hold('account', owner, period, 1, 10, at())).toBe(false);
      // Amounts past 2^31 compare as numbers, not as text ("9" > "10" as text).
      expect(await storage.budgets.hold('key', owner, period, 9, 10, at())).toBe(true);
      expect(await storage.budgets.hold('key', owner, '2027-01-01T00:00:00.000Z', 3_000_000_000, 4_000_000_000, at())).toBe(true);
    });

    it('settles several spend rows at once, in order, and answers each (none for a row that is not there)', async () => {
      const key = newId('key');
      const owner = newId('acc');
      const period = '2026-12-01T00:00:00.000Z';
      expect(await storage.budgets.hold('key', key, period, 9, 100, at())).toBe(true);
      expect(await storage.budgets.hold('account', owner, period, 9, 100, at())).toBe(true);
      const settled = await storage.transaction((tx) =>
        tx.budgets.settleRows(
          [
            { hold: { scope: 'key', ownerId: key, periodStart: period, amount: 9 }, charge: 7 },
            { hold: { scope: 'account', ownerId: newId('acc'), periodStart: period, amount: 9 }, charge: 7 },
            { hold: { scope: 'account', ownerId: owner, periodStart: period, amount: 5 }, charge: 3 },
          ],
          at(),
        ),
      );
      expect(settled.map((spend) => spend && { ownerId: spend.ownerId, spent: spend.spent, reserved: spend.reserved })).toEqual([
        { ownerId: key, spent: 7, reserved: 0 },
        undefined,
        { ownerId: owner, spent: 3, reserved: 4 },
      ]);
      expect((await storage.budgets.listSpend('account', [owner], [period]))[0]).toMatchObject({ spent: 3, reserved: 4 });
    });

    it('commits a transaction that does not wait for the disk, and rolls one back whole', async () => {
      const [kept, dropped] = [user(), user()];
      await storage.transactionNotWaitingForDisk((tx) => tx.users.insert(kept));
      await expect(
        storage.transactionNotWaitingForDisk(async (tx) => {
          await tx.users.insert(dropped);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await storage.users.findById(kept.id)).toBeDefined();
      expect(await storage.users.findById(dropped.id)).toBeUndefined();
    });

    it('rolls back a failed transaction completely', async () => {
      const u = user();
      await expect(
        storage.transaction(async (tx) => {
          await tx.users.insert(u);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await storage.users.findById(u.id)).toBeUndefined();
    });

    it('hands a transaction a facade that cannot open another (a compile error, not a run-time one)', async () => {
      await storage.transaction(async (tx) => {
        expect('transaction' in tx).toBe(false);
        // @ts-expect-error StorageTransaction has no transaction(): nesting does not typecheck.
        expect(tx.transaction).toBeUndefined();
      });
    });
  });
}
