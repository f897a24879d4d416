// On Node 20 (V8 11.3), two ways of building an object give each object a hidden class of its own:
// a copy by spread that gains a property (`{ ...a, b }`, `{ ...a, ...b }`, or `{ ...a }` and a field
// added later), and an object literal with a getter or setter. Each is several times slower to build
// than a plain literal, and whatever such an object reaches stays alive through the young
// generation's collections until the next full one: measured on the gateway at one connection, 5.4 KB
// promoted to the old generation per request before, 0.4 KB after (ARCHITECTURE.md, "Hot-path
// objects"). Node 24 builds spreads well, but Tollgate runs on both. This test reads the files on the
// data plane's per-request path and refuses both forms there: copy with Object.assign({}, …) or field by
// field, and put accessors on a class.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** What every data-plane request runs through, directly or in the batch it joins. */
const HOT_PATH = [
  'src/gateway',
  'src/limits',
  'src/upstream',
  'src/tracing',
  'src/credits/memory-credit-engine.ts',
  'src/credits/memory-budgets.ts',
  'src/credits/group-commit.ts',
  'src/credits/settlement-batches.ts',
  'src/credits/credit-engine.ts',
  'src/credits/credit-ledger.ts',
  'src/credits/budget-claims.ts',
  'src/credits/price-book.ts',
  'src/credits/pricing.ts',
  'src/keys/key-cache.ts',
  'src/keys/verify-key.ts',
  'src/keys/last-used.ts',
  'src/core/lane-batches.ts',
  'src/core/output-cap.ts',
  'src/core/input-tokens.ts',
  'src/core/token-usage.ts',
  'src/core/model-targets.ts',
  'src/core/sse-events.ts',
  'src/http/metrics-routes.ts',
  'src/http/request-logger.ts',
  'src/http/request-id.ts',
  'src/storage/compiled-statement.ts',
  'src/storage/usage-records.ts',
  'src/storage/usage-rollups.ts',
];

function sourceFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((name) => (name.endsWith('.ts') || statSync(join(full, name)).isDirectory() ? sourceFiles(join(path, name)) : []));
}

/** `file:line` and the offending text, for each object V8 11.3 would give a hidden class of its own. */
function unsharedObjectShapes(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node, why: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${fileName}:${line + 1} ${why}: ${node.getText(source).replace(/\s+/g, ' ').slice(0, 80)}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isObjectLiteralExpression(node)) {
      const [first] = node.properties;
      if (first && ts.isSpreadAssignment(first)) report(node, 'a copy by spread');
      for (const property of node.properties) if (ts.isGetAccessor(property) || ts.isSetAccessor(property)) report(property, 'an accessor in an object literal');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('objects built on the hot path', () => {
  it('are never copies by spread nor literals with accessors', () => {
    const files = HOT_PATH.flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((file) => unsharedObjectShapes(file, readFileSync(join(ROOT, file), 'utf8')));
    expect(found).toEqual([]);
  });

  it('finds each form the check is for, and passes what V8 shares', () => {
    const found = unsharedObjectShapes(
      'example.ts',
      [
        'const a = { ...base, extra: 1 };',
        'const b = { ...left, ...right };',
        'const c = { ...base };',
        'const d = { get level() { return 1; } };',
        'const e = { set level(v: number) {} };',
        'const fine = { a: 1, ...(flag ? { b: 2 } : {}) };',
        'const assigned = Object.assign({}, base, { extra: 1 });',
        'class Shared { get level() { return 1; } }',
      ].join('\n'),
    );
    expect(found.map((line) => line.split(' ')[0])).toEqual(['example.ts:1', 'example.ts:2', 'example.ts:3', 'example.ts:4', 'example.ts:5']);
  });
});
