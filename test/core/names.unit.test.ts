import { describe, expect, it } from 'vitest';
import { nameProblem, normalizeName } from '../../src/core/names.js';

describe('display names', () => {
  it.each([
    ['NUL', 'acme\u0000corp'],
    ['a C0 control (tab)', 'acme\tcorp'],
    ['a C1 control', 'acme\u0085corp'],
    ['DEL', 'acme\u007fcorp'],
    ['a right-to-left override', 'acme\u202Egnp.exe'],
    ['a left-to-right embedding', '\u202Aacme'],
    ['a first-strong isolate', 'acme\u2068x\u2069'],
    ['a zero-width space', 'ac\u200Bme'],
    ['a zero-width joiner', 'ac\u200Dme'],
    ['a word joiner', 'ac\u2060me'],
    ['a byte-order mark', '\uFEFFacme'],
    ['a line separator', 'acme\u2028corp'],
    ['a lone surrogate', 'acme\uD800'],
  ])('refuses a name with %s', (_what, name) => {
    expect(nameProblem(name)).toEqual(expect.any(String));
  });

  it.each([['Acme Corp'], ["O'Brien & Söhne"], ['東京チーム'], ['Zoë 🚀'], ['مرحبا']])('accepts %s', (name) => {
    expect(nameProblem(name)).toBeNull();
  });

  it('normalises to NFC and trims', () => {
    expect(normalizeName('  Zoe\u0308 ')).toBe('Zo\u00EB');
  });
});
