// POST /api/v1/billing/stripe/webhook: Stripe's deliveries of events (issue 13 item 3). Stripe
// signs the body as sent, so this route alone reads it as raw bytes (a content-type parser in
// its own Fastify scope); every other route keeps the strict JSON parser. A delivery that does not
// verify is a 400 and changes nothing; a verified one is answered 200 whatever it meant to us, so
// Stripe stops retrying — only a failure on our side (5xx) asks it to deliver again.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../core/errors.js';
import { fulfilStripeEvent } from '../credits/stripe-fulfilment.js';
import { storageUnavailable } from '../credits/storage-unavailable.js';
import { StripeWebhookOut } from '../http/schemas/billing-schemas.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type StripeWebhookRouteDeps = Pick<Services, 'billing' | 'credits' | 'storage'>;

export const STRIPE_WEBHOOK_PATH = '/api/v1/billing/stripe/webhook';

function signatureOf(request: FastifyRequest): string | undefined {
  const value = request.headers['stripe-signature'];
  return typeof value === 'string' ? value : undefined;
}

export function registerStripeWebhookRoutes(app: FastifyInstance, services: StripeWebhookRouteDeps): void {
  app.register(async function rawBodyScope(scope) {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, function keepRawBody(_request, body, done) {
      done(null, body);
    });

    scope.post(
      STRIPE_WEBHOOK_PATH,
      { schema: { tags: ['credits'], summary: 'Stripe webhook endpoint (signed with the Stripe-Signature header)', response: { 200: StripeWebhookOut } } },
      async function receiveStripeEvent(request) {
        const stripe = services.billing.stripe;
        if (!stripe) throw new ApiError('billing_not_configured');
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const event = stripe.verifyEvent(raw, signatureOf(request));
        if (!event) {
          request.log.warn({ signed: signatureOf(request) !== undefined, bytes: raw.length }, 'stripe webhook refused: signature did not verify');
          throw new ApiError('invalid_webhook_signature');
        }
        const ledger = services.credits.ledger;
        const result = await storageUnavailable(() => fulfilStripeEvent({ storage: services.storage, ledger, settings: stripe.settings }, event, request.id));
        const about = { stripeEventId: event.id, stripeEventType: event.type };
        if (result.outcome === 'granted') {
          request.log.info({ ...about, accountId: result.accountId, checkoutSession: result.sessionId, credits: result.credits }, 'stripe top-up granted');
        } else if (result.outcome === 'ignored' && result.reason === 'unknown_account') {
          request.log.warn({ ...about, checkoutSession: result.sessionId, accountRef: result.accountRef }, 'stripe top-up ignored: no such account');
        } else {
          request.log.info({ ...about, outcome: result.outcome, ...(result.outcome === 'ignored' ? { reason: result.reason } : {}) }, 'stripe event acknowledged');
        }
        return { received: true, outcome: result.outcome };
      },
    );
  });
}
