// The admission engine (SPEC §4 order: … → rate limits (key, then account) → credits (reserve) → …).
// One call per request decides, as a value: 429 with Retry-After when a limit is reached, 402
// model_unpriced when the unpriced policy blocks the call, 402 budget_exceeded when the key's or the
// account's budget has no room for it, 402 when the balance cannot cover the request's maximum cost
// (for the dearest target it may fail over to), or admitted with a ticket.
// Infrastructure failures are errors: the database unreachable is a 503, with every claim the
// request made undone first, so nothing is left half-taken.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ApiError } from '../core/errors.js';
import type { BudgetRefusal } from '../credits/budget-claims.js';
import type { BudgetPresence } from '../credits/budget-presence.js';
import type { CreditEngine } from '../credits/credit-engine.js';
import type { PriceBook } from '../credits/price-book.js';
import { holdFor } from '../credits/price-lookup.js';
import type { UnpricedPolicy } from '../credits/unpriced-policy.js';
import type { Reservation } from '../storage/credits.js';
import type { AccountLimits } from './account-limits.js';
import { rateLimitState, retryAfterSeconds, type Admission, type AdmissionDecision, type AdmissionRequest } from './admission.js';
import { CreditAdmissionTicket } from './admission-ticket.js';
import { limitRules } from './limit-rules.js';
import type { LimiterHold, LimiterStore } from './limiter-store.js';
import type { ClaimDecision } from './sliding-window.js';

export interface CreditAdmissionParts {
  store: LimiterStore;
  accountLimits: AccountLimits;
  prices: PriceBook;
  /** Holds each priced request's cost against the balance and the key's and account's budgets. */
  ledger: CreditEngine;
  logger: Logger;
  windowMs: number;
  leaseMs: number;
  /** Who has budgets at all: an account without any takes no budget look-up (none: always look). */
  budgetPresence?: Pick<BudgetPresence, 'has'>;
  /** A request the unpriced policy applied to (counted in /metrics, raised as model.unpriced). */
  onUnpriced?: (policy: UnpricedPolicy['kind'], call: { accountId: string; model: string }) => void;
}

const KIND_TEXT = { requests: 'requests per minute', tokens: 'tokens per minute', concurrency: 'concurrent requests' } as const;

function rateLimited(decision: Extract<ClaimDecision, { kind: 'denied' }>): ApiError {
  const rule = decision.denied[0]!;
  const owner = rule.scope === 'key' ? 'this API key' : 'this account';
  const tooBig = rule.kind === 'tokens' && rule.cost > rule.limit;
  return new ApiError('rate_limited', {
    message: tooBig
      ? `This request (${rule.cost} tokens) is larger than the ${KIND_TEXT.tokens} limit of ${owner} (${rule.limit}).`
      : `Rate limit reached for ${owner}: ${rule.limit} ${KIND_TEXT[rule.kind]}.`,
    suggestion: tooBig ? 'Lower max_tokens or shorten the input.' : `Retry after ${retryAfterSeconds(decision.retryAfterMs)} s.`,
  });
}

function insufficientCredits(cost: number, available: number): ApiError {
  return new ApiError('insufficient_credits', {
    message: `The account's credit balance cannot cover this request: it may cost up to ${cost} credits and ${available} are available.`,
    suggestion: 'Add credits to the account, or lower max_tokens so the request can cost less.',
  });
}

function budgetExceeded(refusal: BudgetRefusal, cost: number): ApiError {
  const owner = refusal.scope === 'key' ? 'this API key' : 'this account';
  const message = `This request may cost up to ${cost} credits; the budget of ${owner} has ${refusal.available} of ${refusal.limit} left in this period.`;
  return new ApiError('budget_exceeded', {
    details: [
      {
        code: 'budget_exceeded',
        message,
        suggestion: refusal.resetsAt ? `The budget resets at ${refusal.resetsAt}; or lower max_tokens, or raise the budget.` : 'Raise the budget, or lower max_tokens.',
        scope: refusal.scope,
        resets_at: refusal.resetsAt,
      },
    ],
    message,
  });
}

function modelUnpriced(model: string): ApiError {
  return new ApiError('model_unpriced', {
    message: `The model ${JSON.stringify(model)} has no price on this server, so it cannot be used.`,
    suggestion: 'The operator can price it (prices in the config file, or PUT /api/v1/operator/prices) or choose pricing.unpriced: free or {ceiling: N}.',
  });
}

/** The name the client called (an alias or `provider/model`), or the route's id. */
function calledName(price: AdmissionRequest['price']): string {
  return price.kind === 'model' ? price.call.name : price.routeId;
}

export class CreditAdmission implements Admission {
  constructor(private readonly parts: CreditAdmissionParts) {}

  async admit(request: AdmissionRequest): Promise<AdmissionDecision> {
    const { parts } = this;
    const accountLimits = await this.guard(() => parts.accountLimits.effective(request.accountId), null);
    const choices = Math.max(1, request.choices ?? 1);
    const countedTokens = Math.max(0, request.estimatedInputTokens) + Math.max(0, request.maxOutputTokens ?? 0) * choices;
    const rules = limitRules({ accountId: request.accountId, keyId: request.keyId, accountLimits, keyLimits: request.keyLimits, tokens: countedTokens });
    const claim = rules.length > 0 ? await parts.store.claim({ rules, leaseId: randomUUID() }) : null;
    const rateLimit = claim ? rateLimitState(claim.decision, parts.windowMs) : null;
    if (claim && claim.hold === null) return { ok: false, error: rateLimited(claim.decision), rateLimit };
    const hold = claim?.hold ?? null;

    const quote = await this.guard(() => parts.prices.quote(request.price), hold, countedTokens);
    if (quote.unpriced) parts.onUnpriced?.(quote.unpriced, { accountId: request.accountId, model: quote.ok ? calledName(request.price) : quote.model });
    if (!quote.ok) {
      await undo(hold, countedTokens, parts.logger);
      return { ok: false, error: modelUnpriced(quote.model), rateLimit };
    }
    const { price, cost, maxOutputTokens } = holdFor(
      quote.prices.map((p) => p.price),
      request.estimatedInputTokens,
      request.maxOutputTokens,
      choices,
    );
    let reservation: Reservation | null = null;
    if (price) {
      const presence = parts.budgetPresence;
      const hasBudgets = presence ? await this.guard(() => presence.has(request.accountId), hold, countedTokens) : true;
      const budgetKeyId = hasBudgets ? request.keyId : null;
      const reserved = await this.guard(() => parts.ledger.reserve(request.accountId, cost, request.requestId, budgetKeyId), hold, countedTokens);
      if (!reserved.ok) {
        await undo(hold, countedTokens, parts.logger);
        const error = 'refused' in reserved ? budgetExceeded(reserved.refused, cost) : insufficientCredits(cost, reserved.available);
        return { ok: false, error, rateLimit };
      }
      reservation = reserved.reservation;
    }
    const ticket = new CreditAdmissionTicket({
      hold,
      rules,
      countedTokens,
      price,
      targetPrices: quote.prices,
      reservation,
      ledger: parts.ledger,
      logger: parts.logger,
      renewEveryMs: Math.floor(parts.leaseMs / 3),
    });
    return { ok: true, rateLimit, ticket, maxOutputTokens };
  }

  /** Runs a storage step; on failure undoes the request's claims and answers 503. */
  private async guard<T>(step: () => Promise<T>, hold: LimiterHold | null, tokens = 0): Promise<T> {
    try {
      return await step();
    } catch (error) {
      await undo(hold, tokens, this.parts.logger);
      this.parts.logger.error({ err: error }, 'admission failed: storage unavailable');
      throw new ApiError('unavailable', { message: 'Credits and limits cannot be checked right now.', suggestion: 'Retry in a few seconds.' });
    }
  }
}

/**
 * Undoes a claim whose request will not run: frees its slots and takes back its tokens. The request
 * itself stays counted against requests-per-minute — it reached us and cost a lookup, and not
 * counting refused requests would let a client without credits hammer the database unthrottled.
 */
async function undo(hold: LimiterHold | null, tokens: number, logger: Logger): Promise<void> {
  if (!hold) return;
  try {
    await hold.end(-tokens);
  } catch (error) {
    logger.warn({ err: error }, 'could not undo a rate-limit claim; its slots will expire');
  }
}

