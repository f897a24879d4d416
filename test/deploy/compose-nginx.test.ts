// deploy/nginx.conf, the front of compose.yaml, run by a real nginx in front of two real Tollgate
// nodes that share one database and master key (the compose shape, on 127.0.0.1 ports instead of
// service names): requests are spread over both nodes, a key minted on one node works through nginx
// whichever answers, a stream arrives event by event (nginx does not buffer it), and /metrics is
// not served to the outside.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, releaseSchema, uniqueSchema } from '../support/databases.js';
import { waitFor } from '../support/gateway-fixture.js';
import { createKey, newMasterKey, signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { capturedLogs } from '../support/log-capture.js';
import { startScriptedSseUpstream, type ScriptedSseUpstream } from '../support/scripted-sse-upstream.js';

const NGINX = '/usr/sbin/nginx';
const CONF = new URL('../../deploy/nginx.conf', import.meta.url);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const chunk = (delta: object) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;

for (const target of databaseTargets()) {
  describe(`deploy/nginx.conf in front of two nodes (${target.name})`, () => {
    if (!existsSync(NGINX)) {
      console.warn(`compose nginx test skipped: ${NGINX} is not installed (apt-get install nginx).`);
      it.skip('needs nginx at /usr/sbin/nginx', () => {});
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-compose-'));
    const schema = uniqueSchema();
    const nodes: TestGateway[] = [];
    const served = [0, 0];
    let upstream: ScriptedSseUpstream;
    let releaseStream: () => void = () => {};
    let nginx: ChildProcess | undefined;
    let nginxLog = '';
    let base: string;

    beforeAll(async () => {
      // The upstream sends one event, then holds the rest until the test has read that event.
      upstream = await startScriptedSseUpstream(async (write) => {
        await write(chunk({ role: 'assistant', content: 'first' }));
        await new Promise<void>((resolve) => (releaseStream = resolve));
        await write(chunk({ content: ' second' }));
        await write('data: [DONE]\n\n');
      });
      const configPath = join(dir, 'tollgate.json');
      writeFileSync(configPath, JSON.stringify({ providers: [{ id: 'sse', type: 'openai', base_url: upstream.url, direct: true }], aliases: [{ name: 'chat', targets: [{ provider: 'sse', model: 'm' }] }] }));
      const shared = { schema, masterKey: newMasterKey(), dataDir: join(dir, 'data') };
      const env = { TOLLGATE_CONFIG: configPath, TOLLGATE_TRUST_PROXY: '1' };
      const ports: number[] = [];
      for (const i of [0, 1]) {
        const node = await startTestGateway({ target, shared, env });
        nodes.push(node);
        ports.push(Number(new URL(await node.app.listen({ host: '127.0.0.1', port: 0 })).port));
        node.app.server.on('request', () => (served[i]! += 1));
      }
      const port = await freePort();
      const conf = readFileSync(CONF, 'utf8')
        .replace('server tollgate-1:8080', `server 127.0.0.1:${ports[0]}`)
        .replace('server tollgate-2:8080', `server 127.0.0.1:${ports[1]}`)
        .replace('listen 80;', `listen 127.0.0.1:${port};`)
        .replace('access_log /dev/stdout;', 'access_log off;');
      expect(conf).not.toMatch(/tollgate-\d:|listen 80;/);
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, 'nginx.conf'), conf);
      nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off; pid nginx.pid;'], { stdio: ['ignore', 'pipe', 'pipe'] });
      nginx.stderr?.on('data', (data: Buffer) => (nginxLog += data.toString()));
      base = `http://127.0.0.1:${port}`;
      const up = await waitFor(async () => fetch(`${base}/nginx-health`).then((r) => r.ok, () => false), 5000, 50);
      expect(up, `nginx did not start: ${nginxLog}`).toBe(true);
    });

    afterAll(async () => {
      releaseStream();
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((resolve) => nginx!.once('exit', resolve));
        nginx.kill('SIGTERM');
        await exited;
      }
      for (const node of nodes) await node.close();
      await upstream?.close();
      if (target.databaseUrl) await releaseSchema(target.databaseUrl, schema);
      capturedLogs.push(nginxLog);
      rmSync(dir, { recursive: true, force: true });
    });

    it('spreads requests over both nodes, each ready', async () => {
      for (let i = 0; i < 6; i += 1) expect((await fetch(`${base}/readyz`)).status).toBe(200);
      expect(served[0]).toBeGreaterThan(0);
      expect(served[1]).toBeGreaterThan(0);
    });

    it('takes a key minted on one node through nginx, whichever node answers, and streams event by event', async () => {
      const user = await signUp(nodes[0]!.app);
      const { key } = await createKey(nodes[0]!.app, user);
      for (let i = 0; i < 4; i += 1) {
        const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
        expect(models.status).toBe(200);
      }
      const response = await fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      // The first event arrives while the upstream still holds the rest: nothing buffers it (the conf
      // turns proxy buffering off, and Tollgate marks streams X-Accel-Buffering: no as well).
      while (!text.includes('first')) {
        const { value, done } = await reader.read();
        expect(done, `stream ended before its first event: ${text}`).toBe(false);
        text += decoder.decode(value, { stream: true });
      }
      expect(text).not.toContain('second');
      releaseStream();
      for (let part = await reader.read(); !part.done; part = await reader.read()) text += decoder.decode(part.value, { stream: true });
      expect(text).toContain('second');
      expect(text).toContain('data: [DONE]');
    });

    it('does not serve /metrics to the outside', async () => {
      const before = served[0]! + served[1]!;
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      expect(served[0]! + served[1]!).toBe(before);
    });
  });
}
