// One webhook attempt against real sockets: a receiver that never answers is a timeout (retried,
// not hung on), a redirect is not followed, and an address literal on loopback is refused unless
// the operator allows private upstreams (SPEC §7, §9).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookSender } from '../../src/webhooks/webhook-sender.js';

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

describe('a webhook attempt', () => {
  let server: Server;
  let base: string;
  let redirectFollowed = false;
  const agent = new Agent();
  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/slow') return; // never answers
      if (request.url === '/moved') {
        response.writeHead(301, { location: '/landing' }).end();
        return;
      }
      if (request.url === '/landing') redirectFollowed = true;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await agent.close();
  });

  const message = (path: string) => ({ id: 'msg_test', url: `${base}${path}`, secret: SECRET, body: '{"id":"evt_x"}', at: new Date() });

  it('gives up on a receiver that does not answer within the attempt timeout', async () => {
    const started = Date.now();
    const result = await new WebhookSender({ dispatcher: agent, allowPrivate: true, timeoutMs: 200 }).send(message('/slow'));
    expect(result).toEqual({ ok: false, status: null, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('does not follow a redirect: a 3xx is a failed attempt', async () => {
    const result = await new WebhookSender({ dispatcher: agent, allowPrivate: true }).send(message('/moved'));
    expect(result).toEqual({ ok: false, status: 301, reason: 'http_301' });
    expect(redirectFollowed).toBe(false);
  });

  it('refuses a loopback receiver unless private upstreams are allowed', async () => {
    expect(await new WebhookSender({ dispatcher: agent, allowPrivate: false }).send(message('/ok'))).toEqual({ ok: false, status: null, reason: 'blocked' });
    expect(await new WebhookSender({ dispatcher: agent, allowPrivate: true }).send(message('/ok'))).toEqual({ ok: true, status: 200 });
  });
});
