// First start of the benchmarked Tollgate: the set-up a real operator would do, through the public
// API — a user (made operator by TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL), a personal API key for the
// load with a monthly budget, a monthly budget on the account, and credits granted to the account
// by the operator credits API (SPEC §4 Operator). Credits and budgets cover every request of the
// run: every request is claimed against all three, and none is refused.
import { randomBytes } from 'node:crypto';
import { request } from 'undici';

export const BENCH_OPERATOR_EMAIL = 'bench-operator@example.com';
/** Credits granted once: far more than a run can spend (a request costs a few credits). */
export const BENCH_CREDITS = 1_000_000_000_000;
/** The key's and the account's monthly budgets (SPEC §8), as far out of reach as the credits. */
const BENCH_BUDGET = { limit: BENCH_CREDITS, period: 'month', time_zone: 'Europe/Berlin' };

export interface Provisioned {
  key: string;
  keyId: string;
  accountId: string;
  userId: string;
}

async function call<T>(origin: string, method: 'GET' | 'POST' | 'PUT', path: string, body: unknown, headers: Record<string, string> = {}): Promise<T> {
  const response = await request(`${origin}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  // The error body names the problem; it never carries a secret we sent.
  if (response.statusCode >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export async function provisionTollgate(origin: string): Promise<Provisioned> {
  const password = `bench-${randomBytes(12).toString('base64url')}`;
  await call(origin, 'POST', '/api/v1/auth/register', { email: BENCH_OPERATOR_EMAIL, name: 'Benchmark', password });
  const tokens = await call<{ access_token: string }>(origin, 'POST', '/api/v1/auth/login', { email: BENCH_OPERATOR_EMAIL, password });
  const auth = { authorization: `Bearer ${tokens.access_token}` };
  const me = await call<{ id: string; is_operator: boolean; memberships: Array<{ account_id: string; kind: string }> }>(origin, 'GET', '/api/v1/auth/me', undefined, auth);
  if (!me.is_operator) throw new Error('the benchmark user did not become an operator (TOLLGATE_BOOTSTRAP_OPERATOR_EMAIL)');
  const accountId = me.memberships.find((m) => m.kind === 'personal')?.account_id;
  if (!accountId) throw new Error('the benchmark user has no personal account');
  const created = await call<{ id: string; key: string }>(origin, 'POST', '/api/v1/auth/keys', { name: 'benchmark load', budget: BENCH_BUDGET }, auth);
  await call(origin, 'PUT', `/api/v1/operator/accounts/${accountId}/budget`, BENCH_BUDGET, auth);
  await call(origin, 'POST', `/api/v1/operator/accounts/${accountId}/credits`, { amount: BENCH_CREDITS, reason: 'benchmark' }, auth);
  return { key: created.key, keyId: created.id, accountId, userId: me.id };
}
