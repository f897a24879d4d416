// What the webhook suites share: a gateway allowed to deliver to loopback receivers, a clock the
// test moves by hand, subscribing an account to a receiver, and reading its delivery log.
import { expect } from 'vitest';
import { rememberSecret } from './log-capture.js';
import type { SignedIn, TestGateway } from './harness.js';

/** Webhook URLs obey the upstream safety rules (SPEC §7): the test receivers live on loopback. */
export const ALLOW_LOOPBACK = { TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: 'true' };

/** A clock the test moves by hand. */
export function manualClock() {
  let nowMs = Date.now();
  return { now: () => new Date(nowMs), advance: (ms: number) => void (nowMs += ms) };
}

export async function subscribe(gw: TestGateway, user: SignedIn, url: string, events: string[] = ['key.created']): Promise<{ id: string; secret: string }> {
  const response = await gw.app.inject({ method: 'POST', url: '/admin/webhooks', headers: user.auth, payload: { url, events } });
  expect(response.statusCode, response.body).toBe(201);
  const created = response.json();
  rememberSecret(created.secret);
  return { id: created.id, secret: created.secret };
}

export async function deliveries(gw: TestGateway, user: SignedIn, webhookId: string) {
  const response = await gw.app.inject({ url: `/admin/webhooks/${webhookId}/deliveries`, headers: user.auth });
  expect(response.statusCode).toBe(200);
  return response.json().deliveries as Array<{ id: string; event_id: string; event_type: string; attempt: number; status: string; response_status: number | null; next_attempt_at: string | null }>;
}
