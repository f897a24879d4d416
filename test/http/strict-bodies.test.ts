// SPEC §7 "strict bodies": a control, admin or operator body is validated as sent — a value of the
// wrong type is a 422 naming the field, never coerced; an unknown field is a 422, never dropped.
// Querystrings still read numbers (`?limit=10`), and data-plane bodies pass through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/databases.js';
import { signUp, startTestGateway, type SignedIn, type TestGateway } from '../support/harness.js';
import { makeOperator } from '../support/accounts-fixtures.js';

describe.each(databaseTargets())('strict request bodies ($name)', (target) => {
  let gw: TestGateway;
  let operator: SignedIn;
  let accountId: string;
  beforeAll(async () => {
    gw = await startTestGateway({ target });
    operator = await signUp(gw.app);
    await makeOperator(gw, operator);
    const user = await signUp(gw.app);
    accountId = (await gw.services.storage.accounts.findPersonal(user.userId))!.id;
  });
  afterAll(() => gw?.close());

  const grant = (payload: unknown) =>
    gw.app.inject({ method: 'POST', url: `/api/v1/operator/accounts/${accountId}/credits`, headers: { ...operator.auth, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

  it.each([['0x10'], [true], [[5]], ['1e3'], ['16']])('refuses an operator grant of %j credits with a 422 naming amount', async (amount) => {
    const response = await grant({ amount });
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['amount']);
    expect(body.detail[0].loc).toEqual(['body', 'amount']);
    expect((await gw.services.credits.ledger.balance(accountId)).balance).toBe(0);
  });

  it('refuses a key named with a number instead of creating it', async () => {
    const user = await signUp(gw.app);
    const response = await gw.app.inject({ method: 'POST', url: '/api/v1/auth/keys', headers: user.auth, payload: { name: 123 } });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors[0].field).toBe('name');
    const list = await gw.app.inject({ url: '/api/v1/auth/keys', headers: user.auth });
    expect(list.json()).toEqual([]);
  });

  it('refuses unknown fields, one entry per field, at the top level and nested', async () => {
    const user = await signUp(gw.app);
    const response = await gw.app.inject({
      method: 'POST',
      url: '/api/v1/auth/keys',
      headers: user.auth,
      payload: { name: 'k', is_admin: true, rate_limit: { rpm: 5, burst: 9 } },
    });
    expect(response.statusCode).toBe(422);
    const body = response.json();
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['is_admin', 'rate_limit.burst']);
    expect(body.detail.map((d: { loc: string[] }) => d.loc)).toEqual(expect.arrayContaining([['body', 'is_admin'], ['body', 'rate_limit', 'burst']]));
  });

  it('refuses an unknown field on an operator body and an admin body', async () => {
    const limits = await gw.app.inject({ method: 'PUT', url: `/api/v1/operator/accounts/${accountId}/limits`, headers: operator.auth, payload: { rpm: 5, rps: 1 } });
    expect(limits.statusCode).toBe(422);
    expect(limits.json().errors[0].field).toBe('rps');
    const automation = await gw.app.inject({ method: 'PUT', url: '/api/v1/automation/settings', headers: operator.auth, payload: { is_enabled: 'true' } });
    expect(automation.statusCode).toBe(422);
    expect(automation.json().errors[0].field).toBe('is_enabled');
  });

  it('still reads numbers from a querystring', async () => {
    const response = await gw.app.inject({ url: `/api/v1/operator/users?limit=1`, headers: operator.auth });
    expect(response.statusCode).toBe(200);
    expect(response.json().users).toHaveLength(1);
  });

  it('grants credits sent as a JSON integer', async () => {
    const response = await grant({ amount: 16 });
    expect(response.statusCode).toBe(201);
    expect(response.json().balance).toBe(16);
  });
});
