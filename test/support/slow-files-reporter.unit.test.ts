// The timing report CI prints: slowest first, files over the threshold marked and always listed.
import { describe, expect, it } from 'vitest';
import { formatSlowFiles, type FileTiming } from './slow-files-reporter.js';

const timing = (file: string, ms: number, project = 'integration'): FileTiming => ({ file, project, ms });

describe('formatSlowFiles', () => {
  it('lists the slowest files first, with durations and lanes, and says when none is slow', () => {
    const lines = formatSlowFiles([timing('a.test.ts', 1_200), timing('b.unit.test.ts', 40, 'unit'), timing('c.test.ts', 9_400)], { top: 2, slowMs: 10_000 });
    expect(lines).toEqual([
      'Slowest test files (of 3; SLOW = 10.0 s or more):',
      '  9.4 s        c.test.ts [integration]',
      '  1.2 s        a.test.ts [integration]',
      'No slow test files.',
    ]);
  });

  it('marks files at or over the threshold and lists every one of them, even past top', () => {
    const lines = formatSlowFiles([timing('a.test.ts', 12_000), timing('b.test.ts', 10_000), timing('c.test.ts', 30_500), timing('d.test.ts', 500)], { top: 1, slowMs: 10_000 });
    expect(lines.slice(1, -1)).toEqual([
      '  30.5 s  SLOW  c.test.ts [integration]',
      '  12.0 s  SLOW  a.test.ts [integration]',
      '  10.0 s  SLOW  b.test.ts [integration]',
    ]);
    expect(lines.at(-1)).toMatch(/^3 slow test files:/);
  });

  it('prints nothing for a run without files', () => {
    expect(formatSlowFiles([])).toEqual([]);
  });
});
