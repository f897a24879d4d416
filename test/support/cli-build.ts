// Global setup of the test run: the sources compiled once to plain JavaScript, for the tests that
// run the real `tollgate` CLI in a child process (spawn-tollgate.ts). A child started with tsx's
// loader compiled every module again at each start, 5 s on a loaded two-core machine against 2 s
// for plain JavaScript, and some thirty tests start one or more. The output is what `npm run
// build` would give, minus type checking (the typecheck step does that): one .js file per source
// file, beside the repository's package.json and node_modules so that imports, the package root
// and the console's files resolve as they do from dist/.
import { mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  // Vitest runs a global setup once per project (the root, unit, integration); every project sees
  // what the root provides, so the root compiles and the others do not compile again.
  if (!project.isRootProject()) return undefined;
  const parent = join(root, '.test-cli');
  mkdirSync(parent, { recursive: true });
  const outdir = join(parent, `run-${process.pid}-${Date.now()}`);
  const sources = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(root, 'src', file));
  await build({ entryPoints: sources, outdir, outbase: root, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
  project.provide('cliEntry', join(outdir, 'src', 'cli', 'index.js'));
  return () => {
    rmSync(outdir, { recursive: true, force: true });
    if (readdirSync(parent).length === 0) rmdirSync(parent); // another run may still be using its own
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The compiled `tollgate` command the CLI tests start. */
    cliEntry: string;
  }
}
