// The Redis key bus between nodes (src/keys/redis-key-bus.ts), on a real Redis: what one node
// announces — a budget set or cleared, a webhook endpoint changed — reaches the other node's
// listener, and never comes back to the node that sent it.
import pino from 'pino';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyEvents } from '../../src/keys/key-events.js';
import { RedisKeyBus } from '../../src/keys/redis-key-bus.js';
import { redisUrl } from '../support/databases.js';
import { waitFor } from '../support/gateway-fixture.js';

if (!redisUrl) console.warn('Redis key bus test skipped: set TOLLGATE_TEST_REDIS_URL to run it.');

describe.skipIf(!redisUrl)('Redis key bus between two nodes', () => {
  const heard = { a: [] as string[], b: [] as string[] };
  const clients: Redis[] = [];
  let a: RedisKeyBus;
  let b: RedisKeyBus;

  function node(name: 'a' | 'b'): RedisKeyBus {
    const subscriber = new Redis(redisUrl!, { lazyConnect: true, autoResubscribe: false });
    const publisher = new Redis(redisUrl!, { lazyConnect: true });
    clients.push(subscriber, publisher);
    return new RedisKeyBus({
      subscriber,
      publisher,
      keyEvents: new KeyEvents(),
      logger: pino({ level: 'silent' }),
      onBudgetsChanged: (accountId) => heard[name].push(`budgets:${accountId}`),
      onWebhooksChanged: (accountId) => heard[name].push(`webhooks:${accountId}`),
    });
  }

  beforeAll(async () => {
    a = node('a');
    b = node('b');
    await Promise.all([a.start(), b.start()]);
  });
  afterAll(async () => {
    await Promise.allSettled([a?.close(), b?.close()]);
    for (const client of clients) client.disconnect();
  });

  it("tells the other node of a webhook endpoint's change, and of a budget's, and not itself", async () => {
    a.webhooksChanged('acc_webhooks');
    a.budgetsChanged('acc_budgets');
    expect(await waitFor(async () => heard.b.length === 2)).toBe(true);
    expect(heard.b).toEqual(['webhooks:acc_webhooks', 'budgets:acc_budgets']);
    expect(heard.a).toEqual([]);
  });
});
