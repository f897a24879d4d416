// Which price a model call pays (SPEC §1, §8; issue 9): the target it resolves to, never the
// string the client sent. For each candidate target, the first of these that has a price:
//   1. the alias's own price, when the call came through an alias (the public name the operator
//      priced; it covers every target of that alias);
//   2. the target's `provider/model`;
//   3. for a server-wide target, the public price catalogue when it is on (price-catalog.ts).
// Not the bare model name (`gpt-4o`): operator prices share one namespace with alias names, so an
// alias priced `gpt-4o` would also price `openai/gpt-4o` on a direct provider — the alias's cheap
// upstream's price on the expensive one. (Provider model names belong to SPEC §8's price catalog,
// a separate source.) A server-wide target with no price is unpriced and follows the unpriced
// policy (free, block, or a ceiling charged as a per-request price). An account's own target
// without a price is free and outside the policy, as before: it runs on the account's own upstream
// and secret, and an account must not be blocked for names only it knows.
//
// Failover may land on any candidate, so a call reserves for the dearest one and is charged the
// price of the target that answered (admission-ticket.ts); the output cap forwarded upstream is the
// smallest any token-priced candidate reserves for, so whichever answers, the hold covers it. Pure.
import type { Owner } from '../core/model-targets.js';
import { isPriced, reservationCost, reservedOutputTokens, routePrice, type Price } from './pricing.js';
import type { UnpricedPolicy } from './unpriced-policy.js';

/** A resolved model call (a ModelResolution that succeeded fits). */
export interface PricedCall {
  /** The name the client sent: an alias name, or `provider/model`. */
  name: string;
  via: 'alias' | 'direct';
  targets: ReadonlyArray<{ provider: string; owner: Owner; model: string }>;
}

/** What a request is priced as. */
export type PriceTarget =
  /** An OpenAI-compatible call: priced by the targets it resolved to. */
  | { kind: 'model'; call: PricedCall }
  /** A plain HTTP route: a fixed per-request cost from the route. */
  | { kind: 'route'; routeId: string; cost: number };

export interface TargetPrice {
  /** The upstream target (null for a route, which has one price whatever answers). */
  target: { provider: string; model: string } | null;
  price: Price | null;
}

export type Quote =
  /** unpriced: the policy applied to at least one candidate, for /metrics (null: none was unpriced). */
  | { ok: true; prices: TargetPrice[]; unpriced: UnpricedPolicy['kind'] | null }
  /** The block policy refused the call; `model` is the name the client sent. */
  | { ok: false; unpriced: 'block'; model: string };

/** The names a target's price is looked up by, in order. */
export function priceNames(call: Pick<PricedCall, 'name' | 'via'>, target: PricedCall['targets'][number]): string[] {
  const direct = `${target.provider}/${target.model}`;
  return call.via === 'alias' && call.name !== direct ? [call.name, direct] : [direct];
}

/**
 * Prices every candidate target of a call; `lookup` answers an operator's price by name, then
 * `catalog` a server-wide target's catalogue price (if any).
 */
export function quoteCall(
  call: PricedCall,
  lookup: (name: string) => Price | undefined,
  policy: UnpricedPolicy,
  catalog: (target: PricedCall['targets'][number]) => Price | undefined = () => undefined,
): Quote {
  let unpriced = false;
  const prices: TargetPrice[] = [];
  for (const target of call.targets) {
    const at = { provider: target.provider, model: target.model };
    const price = priceNames(call, target).map(lookup).find((p) => p !== undefined) ?? (target.owner === 'server' ? catalog(target) : undefined);
    if (price !== undefined || target.owner === 'account') {
      prices.push({ target: at, price: price ?? null });
      continue;
    }
    unpriced = true;
    if (policy.kind === 'block') return { ok: false, unpriced: 'block', model: call.name };
    prices.push({ target: at, price: policy.kind === 'ceiling' ? routePrice(policy.credits, 'unpriced_ceiling') : null });
  }
  return { ok: true, prices, unpriced: unpriced ? policy.kind : null };
}

export interface Hold {
  /** The price the reservation was made for (the dearest candidate), or null: nothing to reserve. */
  price: Price | null;
  cost: number;
  /** The output cap the hold covers: the client's, else the smallest a token-priced candidate reserves for. */
  maxOutputTokens: number | null;
}

/** What to reserve so that any candidate's charge fits the hold, the output cap once per choice (`n`). */
export function holdFor(prices: ReadonlyArray<Price | null>, estimatedInputTokens: number, clientCap: number | null, choices = 1): Hold {
  const priced = prices.filter(isPriced);
  if (priced.length === 0) return { price: null, cost: 0, maxOutputTokens: clientCap };
  // A cap only changes what output costs where output tokens are priced (a ceiling is flat).
  const caps = priced.filter((p) => p.outputPerMtok > 0).map((p) => reservedOutputTokens(p, clientCap));
  const maxOutputTokens = clientCap ?? (caps.length > 0 ? Math.min(...caps) : null);
  let hold: Hold = { price: null, cost: -1, maxOutputTokens };
  for (const price of priced) {
    const cost = reservationCost(price, estimatedInputTokens, maxOutputTokens, choices);
    if (cost > hold.cost) hold = { price, cost, maxOutputTokens };
  }
  return hold;
}
