// `tollgate serve` bounds the heap's growth past its live data, unless the operator sized the heap (the
// decision only: the cli folder is outside the unit lane).
import { describe, expect, it } from 'vitest';
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../src/cli/heap-growth.js';

describe('heap growth', () => {
  it('asks V8 for a bounded growth when nothing else was said', () => {
    expect(heapGrowthFlag([], undefined)).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag(['--enable-source-maps'], '--dns-result-order=ipv4first')).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });

  it("leaves the operator's own heap flags alone, on the command line or in NODE_OPTIONS, in either spelling", () => {
    expect(heapGrowthFlag(['--heap-growing-percent=50'], undefined)).toBeNull();
    expect(heapGrowthFlag([], '--max-old-space-size=512')).toBeNull();
    expect(heapGrowthFlag([], '--trace-warnings --max_old_space_size=512')).toBeNull();
    expect(heapGrowthFlag(['--max-heap-size', '256'], '')).toBeNull();
  });

  it('is not fooled by a flag that only starts the same way', () => {
    expect(heapGrowthFlag(['--max-old-space-size-foo'], undefined)).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
    expect(heapGrowthFlag(['--not-max-old-space-size=1'], undefined)).toBe(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  });
});
