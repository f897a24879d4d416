// The bounded maps behind the key cache, catalogs and budget presence: the least recently used
// entry goes first, and reading an entry makes it the most recent.
import { describe, expect, it } from 'vitest';
import { LruMap } from '../../src/core/lru-map.js';

describe('LruMap', () => {
  it('forgets the least recently used entry when full, counting reads as uses', () => {
    const map = new LruMap<string, number>(3);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect(map.get('a')).toBe(1); // a is now the most recent: b is the least
    map.set('d', 4);
    expect(map.get('b')).toBeUndefined();
    expect([map.get('a'), map.get('c'), map.get('d')]).toEqual([1, 3, 4]);
    expect(map.size).toBe(3);
  });

  it('replaces, deletes and clears', () => {
    const map = new LruMap<string, number>(2);
    map.set('a', 1);
    map.set('a', 2);
    expect([map.get('a'), map.size]).toEqual([2, 1]);
    map.delete('a');
    expect(map.get('a')).toBeUndefined();
    map.set('b', 1);
    map.clear();
    expect(map.size).toBe(0);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });

  it('keeps a key read on every request among a full table of others, however often it is read', () => {
    // The pattern that made the old Map-based version slow (see lru-map.ts): one hot key, a full cache.
    const map = new LruMap<string, number>(1_000);
    for (let i = 0; i < 1_000; i++) map.set(`k${i}`, i);
    for (let i = 0; i < 50_000; i++) expect(map.get('k0')).toBe(0);
    map.set('new', -1); // evicts k1, the least recently used, never the hot k0
    expect([map.get('k0'), map.get('k1'), map.size]).toEqual([0, undefined, 1_000]);
  });
});
