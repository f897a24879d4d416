// Answers remembered per key: loaded once, then kept until they are forgotten (the thing they describe
// changed) or `ttlMs` old (the bound when a change elsewhere cannot be heard). A load that was under
// way when a forget came is returned to its caller but not kept, so an answer read before a change
// never outlives it. Bounded: the least recently used answers go first.
import { LruMap } from './lru-map.js';

export interface RememberedOptions {
  ttlMs: number;
  maxEntries: number;
  nowMs?: () => number;
}

export class Remembered<V extends {}> {
  private readonly entries: LruMap<string, { value: V; atMs: number }>;
  private forgets = 0;
  private readonly nowMs: () => number;

  constructor(private readonly options: RememberedOptions) {
    this.entries = new LruMap(options.maxEntries);
    this.nowMs = options.nowMs ?? Date.now;
  }

  /** Counts forgets: a caller that derives answers of its own from one of ours compares it before keeping them. */
  get generation(): number {
    return this.forgets;
  }

  /** The answer kept for `key`, however old (undefined when none is). */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  /** The kept answer while it is younger than `ttlMs`; else `load`'s, kept unless a forget came meanwhile. */
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const entry = this.entries.get(key);
    if (entry && this.nowMs() - entry.atMs < this.options.ttlMs) return entry.value;
    const generation = this.forgets;
    const atMs = this.nowMs();
    const value = await load();
    if (generation === this.forgets) this.entries.set(key, { value, atMs });
    return value;
  }

  /** Forgets the answer for `key` (every answer: no argument). */
  forget(key?: string): void {
    this.forgets += 1;
    if (key === undefined) this.entries.clear();
    else this.entries.delete(key);
  }
}
