// Redis stopped mid-test (issue #5): data-plane requests keep being served under each node's fallback share
// of the limits — never unlimited — and the switch shows in /metrics and the logs; when Redis
// returns, the shared limits do too. Uses a throwaway redis-server of its own (never the shared one).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedLogs } from '../support/log-capture.js';
import { startGatewayFixture, type GatewayFixture } from '../support/gateway-fixture.js';

const REDIS_SERVER = '/usr/bin/redis-server';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused until the server is up: expected while polling
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      return child;
    } catch {
      await sleep(100);
    }
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

async function stopRedis(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

async function metric(f: GatewayFixture, name: string): Promise<number> {
  const text = (await f.gw.app.inject({ url: '/metrics' })).body;
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

const haveRedisServer = existsSync(REDIS_SERVER);
if (!haveRedisServer) console.warn(`Redis fallback test skipped: ${REDIS_SERVER} not found.`);

describe.skipIf(!haveRedisServer)('rate limits when Redis goes away', () => {
  let redis: ChildProcess | undefined;
  let f: GatewayFixture | undefined;
  afterAll(async () => {
    await f?.close();
    if (redis) await stopRedis(redis);
  });

  it('serves under the per-node fallback share while Redis is down, shows it in /metrics, and returns to Redis', async () => {
    const port = await freePort();
    redis = await startRedis(port);
    f = await startGatewayFixture({ env: { TOLLGATE_REDIS_URL: `redis://127.0.0.1:${port}` } });
    const fixture = f;
    const accountId = (await fixture.gw.services.storage.apiKeys.findById(fixture.keyId))!.accountId;
    await fixture.gw.services.credits.limits.update(accountId, { rpm: 10 });
    const send = async () => {
      const answer = await fixture.gw.app.inject({
        method: 'POST',
        url: '/v1/chat/completions',
        headers: { authorization: `Bearer ${fixture.key}` },
        payload: { model: 'chat-default', messages: [{ role: 'user', content: 'hi' }] },
      });
      return answer.statusCode === 200 ? 'ok' : (answer.json().error.code as string);
    };

    for (let i = 0; i < 4; i++) expect(await send()).toBe('ok');
    expect(await metric(fixture, 'tollgate_rate_limit_fallback')).toBe(0);
    expect(fixture.gw.services.credits.limiterStatus()).toMatchObject({ backend: 'redis', fallback: false });

    await stopRedis(redis);
    // Fallback share 0.5 (the default): this node alone allows 5 of the account's 10 per minute.
    const during: string[] = [];
    for (let i = 0; i < 8; i++) during.push(await send());
    expect(during).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'rate_limited', 'rate_limited', 'rate_limited']);
    expect(await metric(fixture, 'tollgate_rate_limit_fallback')).toBe(1);
    expect(await metric(fixture, 'tollgate_rate_limit_fallback_switches')).toBe(1);
    expect(capturedLogs.some((line) => line.includes('Redis unreachable, this node now enforces its own share'))).toBe(true);

    redis = await startRedis(port); // an empty Redis: the shared count starts again
    const deadline = Date.now() + 10_000;
    while (fixture.gw.services.credits.limiterStatus().fallback && Date.now() < deadline) {
      await sleep(200);
      await send();
    }
    expect(fixture.gw.services.credits.limiterStatus().fallback).toBe(false);
    expect(await metric(fixture, 'tollgate_rate_limit_fallback')).toBe(0);
  });
});
