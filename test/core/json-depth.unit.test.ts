import { describe, expect, it } from 'vitest';
import { jsonNestsDeeperThan } from '../../src/core/json-depth.js';

describe('jsonNestsDeeperThan', () => {
  it.each([
    ['[]', 1, false],
    ['[[]]', 1, true],
    ['{"a":{"b":[1]}}', 3, false],
    ['{"a":{"b":[1]}}', 2, true],
    ['"[[[[[[[["', 1, false],
    ['{"a":"\\"[[[[["}', 1, false],
    ['{"a":"\\\\","b":[[[]]]}', 4, false],
    ['{"a":"\\\\","b":[[[]]]}', 3, true],
  ])('%s nests deeper than %i: %s', (text, max, expected) => {
    expect(jsonNestsDeeperThan(text, max)).toBe(expected);
  });

  it('scans 100,000 levels without recursion', () => {
    expect(jsonNestsDeeperThan('['.repeat(100_000) + ']'.repeat(100_000))).toBe(true);
  });
});
