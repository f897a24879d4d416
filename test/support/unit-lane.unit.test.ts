// The unit lane's bar, checked: no `*.unit.test.ts` imports what boots the app, opens a server,
// socket, database or Redis, spawns a process or sleeps — those tests belong in the integration lane
// (a plain `*.test.ts`). Unit files share a worker, so they must stay this pure to stay fast and
// independent. This reads import lines only; the reviewer still owns what a file does.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const testRoot = fileURLToPath(new URL('..', import.meta.url));

/** Import specifiers (or their endings) a unit test may not use. */
const FORBIDDEN = [
  /\/src\/(app|services|main)\.js$/,
  /\/src\/cli\//,
  /\/support\/(harness|gateway-fixture|accounts-fixtures|databases|mock-openai|http-upstream|scripted-sse-upstream|raw-http|spawn-tollgate)\.js$/,
  /^node:(net|http|https|http2|child_process|timers\/promises|sqlite)$/,
  /^(ioredis|pg|better-sqlite3|playwright-core|undici|openai)$/,
];

function unitFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return unitFiles(path);
    return entry.name.endsWith('.unit.test.ts') ? [path] : [];
  });
}

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
}

describe('the unit lane', () => {
  it('has files to run', () => {
    expect(unitFiles(testRoot).length).toBeGreaterThan(10);
  });

  it('imports nothing that boots the app, opens a connection, spawns or sleeps', () => {
    const offending = unitFiles(testRoot).flatMap((file) =>
      importsOf(readFileSync(file, 'utf8'))
        .filter((specifier) => FORBIDDEN.some((rule) => rule.test(specifier)))
        .map((specifier) => `${relative(testRoot, file)} imports ${specifier}`),
    );
    expect(offending).toEqual([]);
  });

  it('would catch a unit file that boots the app', () => {
    const importLine = (specifier: string) => `import { x } from '${specifier}';`;
    const imports = importsOf([importLine('../support/harness.js'), importLine('node:timers/promises'), importLine('../../src/core/names.js')].join('\n'));
    expect(imports.filter((specifier) => FORBIDDEN.some((rule) => rule.test(specifier)))).toHaveLength(2);
  });
});
