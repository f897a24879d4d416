// Buying credits: POST /api/v1/accounts/{id}/top-ups creates a Stripe Checkout Session through the
// one Stripe client, pointed at a local stand-in of Stripe's API, on every database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamWithRoles, type Team } from '../support/accounts-fixtures.js';
import { databaseTargets } from '../support/databases.js';
import { writeConfigFile } from '../support/gateway-fixture.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { rememberSecret } from '../support/log-capture.js';
import { startStripeStandIn, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, stripeBillingConfig, type StripeStandIn } from '../support/stripe-stand-in.js';

for (const target of databaseTargets()) {
  describe(`credit top-ups through Stripe Checkout on ${target.name}`, () => {
    let standIn: StripeStandIn;
    let config: ReturnType<typeof writeConfigFile>;
    let gw: TestGateway;
    let team: Team;
    let stranger: SignedIn;
    beforeAll(async () => {
      rememberSecret(STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET);
      standIn = await startStripeStandIn();
      config = writeConfigFile(stripeBillingConfig(standIn));
      gw = await startTestGateway({ target, env: { TOLLGATE_CONFIG: config.path } });
      team = await teamWithRoles(gw.app);
      stranger = await signUp(gw.app);
    });
    afterAll(async () => {
      await gw?.close();
      await standIn?.close();
      config?.remove();
    });

    const topUp = (as: SignedIn | null, payload: unknown, accountId = team.accountId) =>
      gw.app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/top-ups`, headers: as ? as.auth : {}, payload: payload as Record<string, unknown> });

    it("creates a Checkout Session for the amount, in the server's currency, naming the account, and answers its url", async () => {
      const before = standIn.calls.length;
      const response = await topUp(team.owner, { amount: 1500 });
      expect(response.statusCode).toBe(201);
      const body = response.json();
      expect(body).toEqual({ id: expect.stringMatching(/^cs_test_/), url: `https://checkout.stripe.com/c/pay/${body.id}`, amount: 1500, currency: 'usd', credits: 150_000 });
      expect(standIn.calls).toHaveLength(before + 1);
      const call = standIn.calls.at(-1)!;
      expect(call.method).toBe('POST');
      expect(call.path).toBe('/v1/checkout/sessions');
      expect(call.headers.authorization).toBe(`Bearer ${STRIPE_SECRET_KEY}`);
      expect(call.form).toMatchObject({
        mode: 'payment',
        'line_items[0][quantity]': '1',
        'line_items[0][price_data][currency]': 'usd',
        'line_items[0][price_data][unit_amount]': '1500',
        client_reference_id: team.accountId,
        'metadata[account_id]': team.accountId,
        success_url: 'https://console.example.com/billing/done?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://console.example.com/billing',
      });
    });

    it('lets owners and admins buy, refuses members (403), and answers 404 to a member of another account', async () => {
      expect((await topUp(team.admin, { amount: 500 })).statusCode).toBe(201);
      const before = standIn.calls.length;
      const member = await topUp(team.member, { amount: 500 });
      expect(member.statusCode).toBe(403);
      const outsider = await topUp(stranger, { amount: 500 });
      expect(outsider.statusCode).toBe(404);
      expect(outsider.json().errors[0].code).toBe('not_found');
      expect((await topUp(null, { amount: 500 })).statusCode).toBe(401);
      // The stranger's own personal account is theirs to top up.
      const own = (await gw.services.storage.accounts.findPersonal(stranger.userId))!.id;
      expect((await topUp(stranger, { amount: 500 }, own)).statusCode).toBe(201);
      expect(standIn.calls).toHaveLength(before + 1);
    });

    it('refuses amounts outside the configured bounds and malformed bodies with 422, without calling Stripe', async () => {
      const before = standIn.calls.length;
      for (const payload of [{ amount: 499 }, { amount: 50_001 }, { amount: 0 }, { amount: -500 }, { amount: 10.5 }, { amount: '1500' }, {}, { amount: 1500, currency: 'eur' }]) {
        const response = await topUp(team.owner, payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(422);
        expect(response.json().errors[0].code).toBe('validation_error');
      }
      expect((await topUp(team.owner, { amount: 499 })).json().errors[0]).toMatchObject({ field: 'amount', message: expect.stringContaining('at least 500') });
      expect(standIn.calls).toHaveLength(before);
    });

    it("answers 502 when Stripe refuses, without repeating Stripe's message", async () => {
      standIn.refuseNext(400, 'Invalid API Key provided: sk_test_****cdef');
      const response = await topUp(team.owner, { amount: 800 });
      expect(response.statusCode).toBe(502);
      expect(response.json().errors[0].code).toBe('payment_provider_error');
      expect(response.body).not.toContain('Invalid API Key');
    });
  });

  describe(`top-ups on a server without billing on ${target.name}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ target });
    });
    afterAll(() => gw?.close());

    it('answers 501 billing_not_configured to a top-up and to a webhook delivery', async () => {
      const owner = await signUp(gw.app);
      const accountId = (await gw.services.storage.accounts.findPersonal(owner.userId))!.id;
      const topUp = await gw.app.inject({ method: 'POST', url: `/api/v1/accounts/${accountId}/top-ups`, headers: owner.auth, payload: { amount: 1000 } });
      expect(topUp.statusCode).toBe(501);
      expect(topUp.json().errors[0]).toMatchObject({ code: 'billing_not_configured', suggestion: expect.stringContaining('billing.stripe') });
      const webhook = await gw.app.inject({ method: 'POST', url: '/api/v1/billing/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' }, payload: '{}' });
      expect(webhook.statusCode).toBe(501);
      expect(webhook.json().errors[0].code).toBe('billing_not_configured');
    });
  });
}
