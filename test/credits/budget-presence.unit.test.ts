// BudgetPresence (src/credits/budget-presence.ts): the budgets a key's requests are held against are
// read once and remembered, never past a change of the account's budgets (forget), an answer read
// while one was made, or the time bound nodes without the bus rely on.
import { describe, expect, it } from 'vitest';
import { BudgetPresence } from '../../src/credits/budget-presence.js';
import type { BudgetRecord } from '../../src/storage/budgets.js';

const budget = (limit: number): BudgetRecord => ({ scope: 'account', ownerId: 'acc_1', accountId: 'acc_1', creditLimit: limit, period: 'month', timeZone: 'UTC', createdAt: '', updatedAt: '' });

function presence() {
  let stored = [budget(100)];
  let nowMs = 0;
  const reads = { any: 0, forKey: 0 };
  let gate: Promise<void> | null = null;
  const cache = new BudgetPresence({
    load: async () => {
      reads.any += 1;
      return stored.length > 0;
    },
    loadForKey: async () => {
      reads.forKey += 1;
      const seen = stored;
      await gate;
      return seen;
    },
    ttlMs: 5_000,
    nowMs: () => nowMs,
  });
  return {
    cache,
    reads,
    store: (budgets: BudgetRecord[]) => (stored = budgets),
    advance: (ms: number) => (nowMs += ms),
    hold: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

describe('BudgetPresence.forKey', () => {
  it('reads a key’s budgets once, then answers from memory', async () => {
    const p = presence();
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(100)]);
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(100)]);
    expect(p.reads.forKey).toBe(1);
    await p.cache.forKey('key_2', 'acc_1');
    expect(p.reads.forKey).toBe(2);
  });

  it('gives the keys without a budget of their own one shared list, not a copy of the account’s budget each', async () => {
    const accountBudget = budget(100);
    const keyBudget = { ...budget(5), scope: 'key' as const, ownerId: 'key_own' };
    const cache = new BudgetPresence({
      load: async () => true,
      loadForKey: async (keyId) => (keyId === 'key_own' ? [keyBudget, { ...accountBudget }] : [{ ...accountBudget }]),
      ttlMs: 5_000,
      nowMs: () => 0,
    });
    const one = await cache.forKey('key_1', 'acc_1');
    expect(one).toEqual([accountBudget]);
    expect(await cache.forKey('key_2', 'acc_1')).toBe(one);
    expect(await cache.forKey('key_own', 'acc_1')).toEqual([keyBudget, accountBudget]);
    const none = new BudgetPresence({ load: async () => false, loadForKey: async () => [], ttlMs: 5_000 });
    expect(Object.isFrozen(await none.forKey('key_1', 'acc_2'))).toBe(true);
  });

  it('reads again after a budget of the account changed, on this account only or on all', async () => {
    const p = presence();
    await p.cache.forKey('key_1', 'acc_1');
    p.store([budget(10)]);
    p.cache.forget('acc_2');
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(100)]);
    p.cache.forget('acc_1');
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(10)]);
    p.store([budget(7)]);
    p.cache.forget();
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(7)]);
    expect(p.reads.forKey).toBe(3);
  });

  it('does not remember an answer read while a budget changed', async () => {
    const p = presence();
    await p.cache.has('acc_1');
    const open = p.hold();
    const before = p.cache.forKey('key_1', 'acc_1');
    await Promise.resolve();
    p.store([budget(10)]);
    p.cache.forget('acc_1');
    open();
    expect(await before).toEqual([budget(100)]);
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(10)]);
  });

  it('reads again once the account’s entry is older than the time bound', async () => {
    const p = presence();
    await p.cache.forKey('key_1', 'acc_1');
    p.store([budget(10)]);
    p.advance(4_999);
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(100)]);
    p.advance(1);
    expect(await p.cache.forKey('key_1', 'acc_1')).toEqual([budget(10)]);
  });
});
