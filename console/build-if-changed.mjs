// `npm run build` builds the console too, but only when something it is built from changed since
// the last build (console/ and the lock file, hashed into dist/console/.build-stamp), so that
// `npm start` stays fast: an unchanged console costs a hash of a few dozen files, not a Vite build.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const consoleDir = join(root, 'console');
const outDir = join(root, 'dist', 'console');
const stampFile = join(outDir, '.build-stamp');

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : filesUnder(path);
    return [path];
  });
}

const hash = createHash('sha256');
for (const file of [...filesUnder(consoleDir), join(root, 'package-lock.json')].sort()) {
  hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
}
const stamp = hash.digest('hex');

const force = process.argv.includes('--force');
if (!force && existsSync(join(outDir, 'index.html')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  console.log('console: unchanged since the last build');
} else {
  const { build } = await import('vite');
  await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, stamp);
  console.log('console: built into dist/console');
}
