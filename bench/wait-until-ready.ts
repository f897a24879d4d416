// Readiness checks for child servers: either the child prints one JSON line on stdout once it
// listens (our own servers), or we poll its port (nginx). Both give up after a bounded time and
// report the child's stderr.
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import type { PinnedProcess } from './spawn-pinned.js';

export function firstJsonLine<T>(proc: PinnedProcess, name: string, timeoutMs = 30_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stdout = proc.child.stdout;
    if (stdout === null) return reject(new Error(`${name}: no stdout`));
    const lines = createInterface({ input: stdout });
    const fail = (reason: string) => {
      clearTimeout(timer);
      lines.close();
      reject(new Error(`${name} did not start: ${reason}\n${proc.stderrTail()}`));
    };
    const onExit = (code: number | null) => fail(`exited with code ${String(code)}`);
    const timer = setTimeout(() => fail(`no ready line within ${timeoutMs} ms`), timeoutMs);
    proc.child.once('exit', onExit);
    lines.once('line', (line) => {
      clearTimeout(timer);
      proc.child.removeListener('exit', onExit);
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${name} printed "${line}" instead of a JSON ready line`));
      }
    });
  });
}

export async function waitForPort(proc: PinnedProcess, port: number, name: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited early:\n${proc.stderrTail()}`);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not listen on ${port} within ${timeoutMs} ms:\n${proc.stderrTail()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
