// Credits bought through Stripe: POST /api/v1/billing/stripe/webhook, over a real socket, with
// events signed the way the stripe package signs test payloads. A paid Checkout Session grants
// once — however many times, and however concurrently, Stripe delivers it — and a delivery that
// does not verify grants nothing. On every database.
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { writeConfigFile } from '../support/gateway-fixture.js';
import { signUp, startTestGateway, type TestGateway } from '../support/harness.js';
import { capturedLogs, rememberSecret } from '../support/log-capture.js';
import { startStripeStandIn, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, stripeBillingConfig, type StripeStandIn } from '../support/stripe-stand-in.js';

const CREDITS_PER_CENT = 100; // stripeBillingConfig's credits_per_unit
let sequence = 0;

interface SessionEvent {
  accountId: string;
  amount?: number;
  type?: string;
  paymentStatus?: string;
  currency?: string;
  eventId?: string;
  sessionId?: string;
}

/** A Stripe event about a Checkout Session, as Stripe sends it (snapshot payload). */
function sessionEvent(options: SessionEvent): { payload: string; eventId: string; sessionId: string } {
  const eventId = options.eventId ?? `evt_test_${Date.now()}_${++sequence}`;
  const sessionId = options.sessionId ?? `cs_test_${Date.now()}_${sequence}`;
  const payload = JSON.stringify({
    id: eventId,
    object: 'event',
    api_version: '2026-10-28',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: options.type ?? 'checkout.session.completed',
    data: {
      object: {
        id: sessionId,
        object: 'checkout.session',
        mode: 'payment',
        status: 'complete',
        payment_status: options.paymentStatus ?? 'paid',
        amount_subtotal: options.amount ?? 1500,
        amount_total: options.amount ?? 1500,
        currency: options.currency ?? 'usd',
        client_reference_id: options.accountId,
        metadata: { account_id: options.accountId },
      },
    },
  });
  return { payload, eventId, sessionId };
}

const sign = (payload: string, secret = STRIPE_WEBHOOK_SECRET, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });

for (const target of databaseTargets()) {
  describe(`Stripe webhook on ${target.name}`, () => {
    let standIn: StripeStandIn;
    let config: ReturnType<typeof writeConfigFile>;
    let gw: TestGateway;
    let url: string;
    let accountId: string;
    beforeAll(async () => {
      rememberSecret(STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET);
      standIn = await startStripeStandIn();
      config = writeConfigFile(stripeBillingConfig(standIn));
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: config.path } });
      await gw.app.listen({ host: '127.0.0.1', port: 0 });
      url = `http://127.0.0.1:${(gw.app.server.address() as AddressInfo).port}/api/v1/billing/stripe/webhook`;
      const owner = await signUp(gw.app);
      accountId = (await gw.services.storage.accounts.findPersonal(owner.userId))!.id;
    });
    afterAll(async () => {
      await gw?.close();
      await standIn?.close();
      config?.remove();
    });

    const deliver = async (payload: string, signature: string | null) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', ...(signature === null ? {} : { 'stripe-signature': signature }) },
        body: payload,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> & { errors?: Array<{ code: string }> } };
    };
    const balanceOf = async (id = accountId) => {
      const { balance } = await gw.services.credits.ledger.balance(id);
      return { balance, ledger: await gw.services.storage.credits.listLedger(id, 200), sum: await gw.services.storage.credits.ledgerSum(id) };
    };

    it('grants amount_total × credits_per_unit once when one paid event is delivered three times concurrently', async () => {
      const before = await balanceOf();
      const event = sessionEvent({ accountId, amount: 1500 });
      const signature = sign(event.payload);
      const answers = await Promise.all([1, 2, 3].map(() => deliver(event.payload, signature)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answers.map((a) => a.body.outcome).sort()).toEqual(['duplicate', 'duplicate', 'granted']);
      const after = await balanceOf();
      expect(after.balance).toBe(before.balance + 1500 * CREDITS_PER_CENT);
      expect(after.sum).toBe(after.balance);
      const entries = after.ledger.filter((e) => e.reason?.includes(event.sessionId));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ amount: 150_000, kind: 'grant', reason: `Stripe Checkout Session ${event.sessionId} (1500 usd)` });
      const audit = await gw.services.storage.audit.listByAccount(accountId, { limit: 50 });
      const purchases = audit.events.filter((e) => e.action === 'credits.purchased' && e.data?.stripe_session_id === event.sessionId);
      expect(purchases).toHaveLength(1);
      expect(purchases[0]).toMatchObject({ actorType: 'system', targetId: entries[0]!.id, data: { amount: 150_000, stripe_event_id: event.eventId } });

      // Stripe redelivers later (a lost 200): still once. Another event for the same session: once.
      expect((await deliver(event.payload, sign(event.payload))).body.outcome).toBe('duplicate');
      const again = sessionEvent({ accountId, amount: 1500, sessionId: event.sessionId, type: 'checkout.session.async_payment_succeeded' });
      expect((await deliver(again.payload, sign(again.payload))).body.outcome).toBe('duplicate');
      expect((await balanceOf()).balance).toBe(after.balance);
    });

    it('refuses a delivery that does not verify with 400 and grants nothing: flipped byte, wrong secret, no header, stale timestamp', async () => {
      const before = await balanceOf();
      const event = sessionEvent({ accountId, amount: 700 });
      const flipped = event.payload.replace('"amount_total":700', '"amount_total":800');
      expect(flipped).not.toBe(event.payload);
      const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
      const refused = [
        await deliver(flipped, sign(event.payload)),
        await deliver(event.payload, sign(event.payload, 'whsec_not_the_configured_secret')),
        await deliver(event.payload, null),
        await deliver(event.payload, sign(event.payload, STRIPE_WEBHOOK_SECRET, tenMinutesAgo)),
        await deliver(event.payload, 'garbage'),
      ];
      for (const answer of refused) {
        expect(answer.status).toBe(400);
        expect(answer.body.errors?.[0]?.code).toBe('invalid_webhook_signature');
      }
      expect(await balanceOf()).toEqual(before);
      // The refusals claimed nothing: the same event, properly signed, still grants.
      expect((await deliver(event.payload, sign(event.payload))).body.outcome).toBe('granted');
      expect((await balanceOf()).balance).toBe(before.balance + 700 * CREDITS_PER_CENT);
    });

    it('acknowledges (200) and ignores other event types, unpaid sessions, other currencies and unknown accounts', async () => {
      const before = await balanceOf();
      const cases = [
        sessionEvent({ accountId, type: 'checkout.session.expired' }),
        sessionEvent({ accountId, type: 'payment_intent.succeeded' }),
        sessionEvent({ accountId, paymentStatus: 'unpaid' }),
        sessionEvent({ accountId, currency: 'eur' }),
        sessionEvent({ accountId: 'acc_nosuchaccount' }),
      ];
      for (const event of cases) {
        const answer = await deliver(event.payload, sign(event.payload));
        expect(answer.status).toBe(200);
        expect(answer.body).toEqual({ received: true, outcome: 'ignored' });
      }
      expect(await balanceOf()).toEqual(before);
      const unknown = cases.at(-1)!;
      expect(capturedLogs.some((line) => line.includes('no such account') && line.includes(unknown.sessionId) && line.includes('acc_nosuchaccount'))).toBe(true);
    });

    it('grants a delayed payment when its async_payment_succeeded event arrives after an unpaid completion', async () => {
      const before = await balanceOf();
      const completed = sessionEvent({ accountId, amount: 900, paymentStatus: 'unpaid' });
      expect((await deliver(completed.payload, sign(completed.payload))).body.outcome).toBe('ignored');
      const succeeded = sessionEvent({ accountId, amount: 900, sessionId: completed.sessionId, type: 'checkout.session.async_payment_succeeded' });
      expect((await deliver(succeeded.payload, sign(succeeded.payload))).body.outcome).toBe('granted');
      expect((await balanceOf()).balance).toBe(before.balance + 900 * CREDITS_PER_CENT);
    });

    it('keeps strict JSON everywhere else: the raw-body parser belongs to the webhook alone', async () => {
      const base = url.replace('/api/v1/billing/stripe/webhook', '');
      const bytes = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: 'email=a' });
      expect(bytes.status).toBe(400); // an unsupported media type, as before: no route but the webhook takes raw bytes
      const deep = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `${'['.repeat(200)}${']'.repeat(200)}` });
      expect(deep.status).toBe(400);
      const strict = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":1,"password":"x"}' });
      expect(strict.status).toBe(422);
    });
  });
}
