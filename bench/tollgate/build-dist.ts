// The Tollgate target runs the built server (`node dist/src/cli/index.js serve`), as it is deployed:
// a TypeScript loader in the measured process would add its own start-up work and memory. So the
// run first compiles the current sources (`tsc -p tsconfig.build.json`, what `npm run build` does),
// once per run; BENCH_SKIP_BUILD=1 uses dist/ as it is.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
let building: Promise<string> | undefined;

/** Path of the built CLI entry; builds it first unless told not to. */
export function builtCli(root: string, skipBuild: boolean, log: (line: string) => void): Promise<string> {
  building ??= (async () => {
    const entry = join(root, 'dist', 'src', 'cli', 'index.js');
    if (!skipBuild) {
      log('  tollgate: building (tsc -p tsconfig.build.json)…');
      const started = performance.now();
      await runTsc(root, log);
      log(`  tollgate: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` (or unset BENCH_SKIP_BUILD)`);
    return entry;
  })();
  return building;
}

function runTsc(root: string, log: (line: string) => void): Promise<void> {
  const tsc = require.resolve('typescript/bin/tsc');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (data: Buffer) => (output += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (output += data.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5 * 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      // tsc emits even with type errors (noEmitOnError is off): a type error elsewhere in the tree
      // is reported but does not stop the benchmark, as long as the entry point was written.
      if (code !== 0 && output.trim()) log(`  tollgate: tsc reported problems (exit ${code}):\n${output.slice(0, 4000)}`);
      resolve();
    });
  });
}
