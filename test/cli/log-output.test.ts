// The server's log output is written asynchronously (src/logger.ts asyncOutput), through real pipes
// to a child process: every line queued before the process exits is written; a reader that went away
// does not hold the exit; a reader that stalls holds a bounded queue, its overflow dropped and counted.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

interface Child {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `body` in a node process with `out` (asyncOutput on its stdout) and `dropped()` in scope. */
function runWithOutput(
  body: string,
  handleStdout: (stdout: NodeJS.ReadableStream & { destroy(): void; pause(): void }, kill: () => void) => void = () => {},
): Promise<Child> {
  const logger = pathToFileURL(join(dirname(inject('cliEntry')), '..', 'logger.js')).href;
  // fs.write and fs.fsync are counted (writes(), fsyncs()): sonic-boom writes and syncs through them.
  const script =
    `import fs from 'node:fs'; const write = fs.write; let writeCalls = 0; fs.write = (...args) => (writeCalls++, write(...args)); const writes = () => writeCalls; ` +
    `const fsync = fs.fsync; let fsyncCalls = 0; fs.fsync = (...args) => (fsyncCalls++, fsync(...args)); const fsyncs = () => fsyncCalls; ` +
    `import { asyncOutput, droppedLogLines as dropped } from ${JSON.stringify(logger)}; const out = asyncOutput(); ${body}`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  handleStdout(child.stdout, () => child.kill('SIGKILL'));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

describe('asynchronous log output', () => {
  it('writes every line queued before process.exit', async () => {
    const child = await runWithOutput('for (let i = 0; i < 20000; i++) out.write(`{"line":${i}}\\n`); process.exit(0);');
    expect(child.code).toBe(0);
    const lines = child.stdout.trim().split('\n');
    expect(lines).toHaveLength(20_000);
    expect(lines.at(-1)).toBe('{"line":19999}');
  });

  it('gathers lines written one per turn of the event loop into few writes, and writes them all', async () => {
    const child = await runWithOutput(
      'let i = 0; const next = () => { out.write(`{"request":${i}}\\n`); if (++i < 1000) setImmediate(next); else setTimeout(() => { console.error(writes()); process.exit(0); }, 300); }; next();',
    );
    expect(child.code).toBe(0);
    expect(child.stdout.trim().split('\n')).toHaveLength(1000);
    // 16 KB of lines in writes of about 4 KB, and the last few by the timer (one write per line: ~1,000).
    expect(Number(child.stderr.trim())).toBeLessThan(20);
  });

  it('writes the line of an idle process without waiting for more lines or the exit, and never syncs the output', async () => {
    const child = await runWithOutput('out.write("alone\\n"); setInterval(() => console.error(fsyncs()), 50);', (stdout, kill) => {
      stdout.on('data', (chunk: Buffer) => chunk.toString().includes('alone') && setTimeout(kill, 200));
    });
    // Killed once the line arrived: it did not wait for the exit (there is none: the process idles).
    expect(child.signal).toBe('SIGKILL');
    expect(child.stdout).toBe('alone\n');
    expect(child.ms).toBeLessThan(5_000);
    // A redirect to a file would be fsynced at every write of gathered lines (sonic-boom's flush does).
    expect(child.stderr.trim().split('\n').at(-1)).toBe('0');
  });

  it('exits at once when the reader of its stdout went away with lines still queued', async () => {
    const child = await runWithOutput(
      'setTimeout(() => { for (let i = 0; i < 1000; i++) out.write(`line ${i}\\n`); process.exit(0); }, 300);',
      (stdout) => stdout.destroy(),
    );
    // pino's own asynchronous destination retried the broken pipe at exit forever (killed after 20 s).
    expect(child.code).toBe(0);
    expect(child.ms).toBeLessThan(10_000);
  });

  it('keeps running with a bounded queue for a reader that stalls, drops and counts the rest, and exits all the same', async () => {
    // 40 MB of lines against a reader that never reads: the pipe fills, the queue stops at 16 MB and
    // the process goes on (a synchronous write would have blocked it at the pipe's first 64 KB). At
    // exit the pipe is retried for 2 s, then what is left is given up.
    const child = await runWithOutput(
      'const line = "x".repeat(1023) + "\\n"; let i = 0; const fill = () => { for (let n = 0; n < 4096; n++, i++) out.write(line); if (i < 40960) setImmediate(fill); else { console.error(JSON.stringify({ dropped: dropped(), rss: process.memoryUsage().rss })); process.exit(0); } }; fill();',
      (stdout) => stdout.pause(),
    );
    expect(child.code).toBe(0);
    const report = JSON.parse(child.stderr.trim()) as { dropped: number; rss: number };
    expect(report.dropped).toBeGreaterThan(20_000);
    expect(report.rss).toBeLessThan(300 * 1024 * 1024);
    expect(child.ms).toBeLessThan(10_000);
  });
});
