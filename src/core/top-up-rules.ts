// Pure rules for selling credits (issue 13 item 3): how many credits a payment buys, whether an
// amount may be paid, and which URLs may carry a payment secret or a payer. No I/O.

/** The largest grant a top-up may make: the ledger keeps balances as exact integers (as operator grants). */
export const MAX_TOP_UP_CREDITS = 1_000_000_000_000;

/** Credits bought by `amountMinor` (the currency's minor units, e.g. cents): a whole number, never rounded. */
export function creditsForPayment(amountMinor: number, creditsPerUnit: number): number {
  return amountMinor * creditsPerUnit;
}

export interface TopUpBounds {
  minAmount: number;
  maxAmount: number;
}

/** Why an amount may not be paid, or null when it may. */
export function topUpAmountProblem(amount: number, bounds: TopUpBounds): string | null {
  if (amount < bounds.minAmount) return `must be at least ${bounds.minAmount}`;
  if (amount > bounds.maxAmount) return `must be at most ${bounds.maxAmount}`;
  return null;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * https, or plain http to this machine only (a local stand-in in development): a secret key or a
 * payer's browser is never sent in clear text across a network.
 */
export function isHttpsOrLoopback(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

export interface ApiEndpoint {
  protocol: 'http' | 'https';
  host: string;
  port: number;
}

/** The Stripe client's host/port/protocol from `api_base`; null when it is not a bare origin. */
export function apiEndpointOf(raw: string): ApiEndpoint | null {
  if (!isHttpsOrLoopback(raw)) return null;
  const url = new URL(raw);
  if (url.pathname !== '/' || url.search || url.hash) return null;
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return { protocol, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port ? Number(url.port) : protocol === 'https' ? 443 : 80 };
}
