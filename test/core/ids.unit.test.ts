// Object ids (src/core/ids.ts): the time-ordered ids of rows written on every request sort by their
// creation time (so each insert lands at the end of the id's index) and keep the 16 random base62
// characters that make any id unguessable.
import { describe, expect, it } from 'vitest';
import { newId, newTimeOrderedId } from '../../src/core/ids.js';

describe('newTimeOrderedId', () => {
  it('is the prefix, 8 base62 digits of the time and 16 random characters', () => {
    expect(newTimeOrderedId('use', 0)).toMatch(/^use_00000000[0-9A-Za-z]{16}$/);
    expect(newTimeOrderedId('led', Date.UTC(2026, 10, 30))).toMatch(/^led_[0-9A-Za-z]{24}$/);
    expect(newId('use')).toMatch(/^use_[0-9A-Za-z]{16}$/);
  });

  it('sorts (as bytes, as SQLite and a C collation compare text) in the order of the times', () => {
    const times = [0, 1, 61, 62, 3_843, 3_844, Date.UTC(2026, 10, 30, 23, 59, 59, 999), Date.UTC(2026, 11, 1), Date.UTC(8887, 0, 1)];
    const ids = times.map((ms) => newTimeOrderedId('use', ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats within one millisecond', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newTimeOrderedId('use', 1_700_000_000_000)));
    expect(ids.size).toBe(10_000);
  });
});
