// `serve --help` names every TOLLGATE_* variable config.ts reads, and no variable it does not read.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../../src/cli/environment-help.js';

describe('serve --help environment list', () => {
  it('matches the variables src/config.ts reads', () => {
    const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
    const read = new Set(source.match(/TOLLGATE_[A-Z_]+[A-Z]/g));
    expect(ENVIRONMENT_VARIABLES.filter((name) => name.startsWith('TOLLGATE_')).sort()).toEqual([...read].sort());
  });
});
