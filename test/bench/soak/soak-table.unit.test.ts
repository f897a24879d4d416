// The soak's table (bench/soak/soak-table.ts): the growth line a reader looks at first must compare the
// first and the last minute per node, with its sign, or a leak would read as "flat".
import { describe, expect, it } from 'vitest';
import { renderSoakTable, type SoakMinute } from '../../../bench/soak/soak-table.js';

const minute = (n: number, rss: number[], fds: number[], p99: number[]): SoakMinute => ({
  minute: n,
  requests: 6000,
  failed: n === 2 ? 3 : 0,
  p99Ms: p99,
  rssMb: rss,
  descriptors: fds,
  loadAverage: 1.5,
});

describe('the soak table', () => {
  it('has one row per minute and the growth from the first to the last minute per node, signed', () => {
    const table = renderSoakTable(
      [minute(1, [100, 110], [40, 41], [12, 14]), minute(2, [101, 109], [40, 43], [13, 14]), minute(3, [104.5, 108], [40, 47], [11.5, 15])],
      { rate: 100, minutes: 3, storage: 'PostgreSQL + Redis', plan: 'not pinned' },
    );
    expect(table).toContain('| minute | answered (target 6000) | failed | p99 ms (a / b) | RSS MB (a / b) | open fds (a / b) | load avg |');
    expect(table).toContain('| 2 | 6000 | 3 | 13.0 / 14.0 | 101 / 109 | 40 / 43 | 1.5 |');
    expect(table).toContain('First to last minute: RSS +4.5 / -2.0 MB, p99 -0.5 / +1.0 ms, open fds +0.0 / +6.0.');
  });
});
