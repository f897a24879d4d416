// Signals to a real `tollgate serve`: a second SIGTERM while a request keeps the drain waiting exits at
// once (128 + 15), and a developer's own TOLLGATE_* settings never reach a server a test starts.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { childEnvironment, startTollgateProcess } from '../support/spawn-tollgate.js';

const dirs: string[] = [];
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-signals-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      if (predicate()) {
        clearInterval(poll);
        resolve();
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error('condition not met in time'));
      }
    }, 20);
  });
}

describe('tollgate serve and signals', () => {
  it('exits at once on a second SIGTERM while a request holds the drain open', async () => {
    const server = await startTollgateProcess({ TOLLGATE_DATA_DIR: dataDir() });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => server.child.on('exit', (code, signal) => resolve({ code, signal })));
    // Half a request: the server must wait for it (up to its grace) before it can stop.
    const port = Number(new URL(server.url).port);
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    // `Expect: 100-continue`: the server's "100 Continue" says it parsed the head and holds the request
    // open. Signalled any sooner, the connection counts as idle and the drain closes it at once.
    socket.on('error', () => undefined);
    const continued = new Promise<void>((resolve) => socket.on('data', (chunk) => chunk.toString().includes('100 Continue') && resolve()));
    socket.write('POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
    await continued;
    socket.write('{');
    try {
      server.child.kill('SIGTERM');
      await waitFor(() => server.output().includes('shutting down'), 10_000);
      // A second press, not the echo of the first (which a parent like npm relays within ms).
      await new Promise((resolve) => setTimeout(resolve, 700));
      const secondAt = Date.now();
      server.child.kill('SIGTERM');
      const result = await exit;
      expect(result).toEqual({ code: 143, signal: null });
      expect(Date.now() - secondAt).toBeLessThan(5_000);
      expect(server.output()).toContain('second signal');
    } finally {
      socket.destroy();
      await server.stop('SIGKILL');
    }
  });

  it("gives a server only the test's variables, not the developer's TOLLGATE_* settings", async () => {
    const saved = { level: process.env.TOLLGATE_LOG_LEVEL, port: process.env.TOLLGATE_PORT };
    process.env.TOLLGATE_LOG_LEVEL = 'silent';
    process.env.TOLLGATE_PORT = 'not-a-port';
    try {
      expect(childEnvironment({ TOLLGATE_DATA_DIR: '/x' })).not.toHaveProperty('TOLLGATE_LOG_LEVEL');
      // With either variable inherited the server would not start (bad port) or not say where it listens.
      const server = await startTollgateProcess({ TOLLGATE_DATA_DIR: dataDir() });
      expect(await server.stop()).toBe(0);
    } finally {
      for (const [name, value] of [['TOLLGATE_LOG_LEVEL', saved.level], ['TOLLGATE_PORT', saved.port]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
