// Turns a verified Stripe event into credits (issue 13 item 3). Only a paid Checkout Session in
// payment mode, in the configured currency, naming an existing account grants; everything else is
// acknowledged and ignored (Stripe retries any non-2xx for days, and retrying cannot change these
// answers). The grant goes through the credit ledger's grant path with the event recorded in the
// same transaction (src/storage/stripe-events.ts), so redeliveries — even concurrent ones — and a
// second event for the same session grant once; the ledger entry's reason names the session.
import type Stripe from 'stripe';
import { creditsForPayment } from '../core/top-up-rules.js';
import { isUniqueViolation } from '../storage/database-errors.js';
import type { Storage } from '../storage/storage.js';
import type { CreditLedger } from './credit-ledger.js';
import type { StripeBillingConfig } from './stripe-top-ups.js';

/** The events that may mean "paid": completion, and the later success of a delayed payment method. */
const PAYMENT_EVENTS = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded']);

export type IgnoredReason = 'event_type' | 'not_paid' | 'not_a_top_up' | 'currency' | 'unknown_account';

export type Fulfilment =
  | { outcome: 'granted'; accountId: string; sessionId: string; credits: number; entryId: string }
  | { outcome: 'duplicate'; sessionId: string }
  | { outcome: 'ignored'; reason: IgnoredReason; sessionId?: string; accountRef?: string };

export interface FulfilmentDeps {
  storage: Pick<Storage, 'accounts' | 'stripeEvents'>;
  ledger: Pick<CreditLedger, 'grant'>;
  settings: Pick<StripeBillingConfig, 'currency' | 'credits_per_unit'>;
}

/** The account a session was created for: ours sets both references to the same id. */
function accountReferenceOf(session: Stripe.Checkout.Session): string | null {
  const fromMetadata = session.metadata?.account_id ?? null;
  const fromReference = session.client_reference_id ?? null;
  if (fromMetadata && fromReference && fromMetadata !== fromReference) return null;
  return fromMetadata ?? fromReference;
}

export async function fulfilStripeEvent(deps: FulfilmentDeps, event: Stripe.Event, requestId: string | null): Promise<Fulfilment> {
  if (!PAYMENT_EVENTS.has(event.type)) return { outcome: 'ignored', reason: 'event_type' };
  const session = event.data.object as Stripe.Checkout.Session;
  const sessionId = session.id;
  if (session.payment_status !== 'paid') return { outcome: 'ignored', reason: 'not_paid', sessionId };
  const accountRef = accountReferenceOf(session);
  const amountTotal = session.amount_total;
  if (session.mode !== 'payment' || !accountRef || !Number.isSafeInteger(amountTotal) || amountTotal! <= 0) {
    return { outcome: 'ignored', reason: 'not_a_top_up', sessionId };
  }
  if (session.currency?.toLowerCase() !== deps.settings.currency) return { outcome: 'ignored', reason: 'currency', sessionId };
  if (await deps.storage.stripeEvents.findByEventOrSession(event.id, sessionId)) return { outcome: 'duplicate', sessionId };
  const account = await deps.storage.accounts.findById(accountRef);
  if (!account) return { outcome: 'ignored', reason: 'unknown_account', sessionId, accountRef };

  const paid = amountTotal!;
  const currency = deps.settings.currency;
  const credits = creditsForPayment(paid, deps.settings.credits_per_unit);
  try {
    const result = await deps.ledger.grant({
      accountId: account.id,
      amount: credits,
      reason: `Stripe Checkout Session ${sessionId} (${paid} ${currency})`,
      actorId: null,
      requestId,
      alsoInTransaction: async function recordStripeEvent(tx, entry) {
        await tx.stripeEvents.insert({
          eventId: event.id,
          eventType: event.type,
          sessionId,
          accountId: account.id,
          ledgerEntryId: entry.id,
          amountTotal: paid,
          currency,
          credits,
          createdAt: entry.createdAt,
        });
        await tx.audit.record({
          accountId: account.id,
          actorType: 'system',
          actorId: null,
          action: 'credits.purchased',
          targetType: 'ledger_entry',
          targetId: entry.id,
          data: { amount: credits, balance: entry.balanceAfter, stripe_event_id: event.id, stripe_session_id: sessionId, amount_total: paid, currency },
          requestId,
        });
      },
    });
    if (result.kind !== 'created') throw new Error(`a Stripe top-up grant answered ${result.kind}`);
    return { outcome: 'granted', accountId: account.id, sessionId, credits, entryId: result.entry.id };
  } catch (error) {
    // A concurrent delivery of this event (or another event of this session) committed first.
    if (isUniqueViolation(error)) return { outcome: 'duplicate', sessionId };
    throw error;
  }
}
