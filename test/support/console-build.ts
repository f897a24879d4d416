// The console built once per run for the browser tests, by whichever test file asks first; the
// others wait for that build instead of starting their own (a no-op when console/ is unchanged
// since the last build). On a fresh clone each browser file used to run its own Vite build, three
// at once beside the rest of the suite, and that was the slowest part of those files.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const lock = join(root, 'dist', '.console-build-lock');
const WAIT_MS = 300_000;

/** Whether the process that holds the lock is still there (a lock left by a killed run is not). */
function holderAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return true; // taken a moment ago, its pid not written yet
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function buildConsoleOnce(): Promise<void> {
  mkdirSync(join(root, 'dist'), { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!holderAlive()) rmSync(lock, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`another test file's console build held ${lock} for ${WAIT_MS / 1000} s`);
    else await sleep(250);
  }
  try {
    writeFileSync(join(lock, 'pid'), String(process.pid));
    await promisify(execFile)(process.execPath, [join(root, 'console', 'build-if-changed.mjs')], { cwd: root });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
