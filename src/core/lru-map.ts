// A bounded map that forgets the least recently used entry first, over lru-cache (a linked list
// beside one Map: a read moves the entry without touching the Map). Bounded so a flood of distinct
// keys — valid or forged — cannot grow memory without limit.
//
// It used to be a bare Map whose reads deleted and re-inserted the entry to move it to the back.
// V8 keeps a deleted entry in its hash chain until the table is rebuilt, so a key read on every
// request (the load key, its account's catalog and budgets) grew a chain of dead entries as long
// as the table's free room: with 100k keys cached, a lookup walked tens of thousands of them, and
// the data plane's CPU per request grew by 70% within two minutes of load (bench, three repeats).
import { LRUCache } from 'lru-cache';

export class LruMap<K extends {}, V extends {}> {
  private readonly cache: LRUCache<K, V>;

  constructor(maxEntries: number) {
    if (maxEntries < 1) throw new RangeError('maxEntries must be at least 1');
    this.cache = new LRUCache<K, V>({ max: maxEntries });
  }

  get size(): number {
    return this.cache.size;
  }

  get(key: K): V | undefined {
    return this.cache.get(key);
  }

  set(key: K, value: V): void {
    this.cache.set(key, value);
  }

  delete(key: K): void {
    this.cache.delete(key);
  }

  clear(): void {
    this.cache.clear();
  }
}
