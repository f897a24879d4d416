// Which log format a server writes: readable lines for a person at a terminal, JSON lines for
// everything else, unless TOLLGATE_LOG_FORMAT says which.
import { describe, expect, it } from 'vitest';
import { usesPrettyLogs } from '../src/logger.js';

describe('log format', () => {
  it.each([
    ['auto', true, true],
    ['auto', false, false],
    ['pretty', false, true],
    ['json', true, false],
  ] as const)('%s with a terminal=%s writes pretty lines: %s', (format, terminal, pretty) => {
    expect(usesPrettyLogs(format, terminal)).toBe(pretty);
  });
});
