// credits.low fires on a crossing of an endpoint's threshold, not on every change below it; each
// account's thresholds are read once and remembered until an endpoint changes or the answer is old.
import { describe, expect, it } from 'vitest';
import { CreditsLowThresholds, crossedThresholds } from '../../src/events/credits-low-watch.js';
import type { StorageTransaction } from '../../src/storage/storage.js';

describe('credits.low crossings', () => {
  it('names each threshold the balance fell through, once', () => {
    expect(crossedThresholds([500, 100, null, 500], 700, 50)).toEqual([500, 100]);
    expect(crossedThresholds([500], 500, 499)).toEqual([500]);
  });

  it('names none when the balance stays on one side or rises', () => {
    expect(crossedThresholds([500], 400, 100)).toEqual([]);
    expect(crossedThresholds([500], 900, 500)).toEqual([]);
    expect(crossedThresholds([500], 100, 900)).toEqual([]);
    expect(crossedThresholds([null], 900, 0)).toEqual([]);
  });
});

describe('credits.low thresholds remembered per account', () => {
  function fakeTx(endpoints: Array<{ events: string[]; threshold: number | null }>) {
    const reads = { count: 0 };
    const tx = {
      webhookEndpoints: {
        listByAccount: async () => {
          reads.count += 1;
          return endpoints;
        },
      },
    } as unknown as StorageTransaction;
    return { tx, reads };
  }

  it('reads an account once, then answers from memory until it is forgotten or too old', async () => {
    let now = 1_000;
    const watched = new CreditsLowThresholds({ ttlMs: 5_000, nowMs: () => now });
    const endpoints = [
      { events: ['credits.low'], threshold: 500 },
      { events: ['budget.threshold'], threshold: 100 },
      { events: ['credits.low'], threshold: null },
    ];
    const { tx, reads } = fakeTx(endpoints);
    expect(await watched.of(tx, 'acc_1')).toEqual([500]);
    expect(await watched.of(tx, 'acc_1')).toEqual([500]);
    expect(reads.count).toBe(1);
    endpoints.push({ events: ['credits.low'], threshold: 200 });
    watched.forget('acc_1');
    expect(await watched.of(tx, 'acc_1')).toEqual([500, 200]);
    expect(reads.count).toBe(2);
    now += 5_000;
    expect(await watched.of(tx, 'acc_1')).toEqual([500, 200]);
    expect(reads.count).toBe(3);
  });

  it('does not remember a read that was under way when an endpoint changed', async () => {
    const watched = new CreditsLowThresholds({ ttlMs: 60_000 });
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reads = 0;
    const tx = {
      webhookEndpoints: {
        listByAccount: async () => {
          reads += 1;
          if (reads === 1) await gate;
          return [];
        },
      },
    } as unknown as StorageTransaction;
    const first = watched.of(tx, 'acc_1');
    watched.forget('acc_1');
    release();
    expect(await first).toEqual([]);
    await watched.of(tx, 'acc_1');
    expect(reads).toBe(2);
  });
});
