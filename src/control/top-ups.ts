// POST /api/v1/accounts/{id}/top-ups: an owner or admin of the account (or an operator) starts
// buying credits; Tollgate creates a Stripe Checkout Session for `amount` minor units and answers
// its hosted payment page. Credits arrive when Stripe reports the payment (stripe-webhook.ts).
// Members see the account but do not spend its money (403); anyone else gets 404.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../core/errors.js';
import { topUpAmountProblem } from '../core/top-up-rules.js';
import { invalidField } from '../core/validation-error.js';
import { StripeApiFailure } from '../credits/stripe-top-ups.js';
import { accountAccess, requireManager } from '../http/account-access.js';
import { AccountIdParams } from '../http/schemas/account-schemas.js';
import { TopUpBody, TopUpOut } from '../http/schemas/billing-schemas.js';
import type { Services } from '../services.js';

/** What these routes use of the composition root. */
export type TopUpRouteDeps = Pick<Services, 'accessTokens' | 'billing' | 'config' | 'storage'>;

const tags = ['credits'];
const security = [{ bearer: [] }];

export function registerTopUpRoutes(app: FastifyInstance, services: TopUpRouteDeps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post(
    '/api/v1/accounts/:id/top-ups',
    { schema: { tags, security, params: AccountIdParams, body: TopUpBody, response: { 201: TopUpOut } } },
    async function createTopUp(request, reply) {
      const access = await accountAccess(services, request, request.params.id);
      requireManager(access, 'buy credits');
      const stripe = services.billing.stripe;
      if (!stripe) throw new ApiError('billing_not_configured');
      const { amount } = request.body;
      const { min_amount: minAmount, max_amount: maxAmount, currency } = stripe.settings;
      const problem = topUpAmountProblem(amount, { minAmount, maxAmount });
      if (problem) throw invalidField('amount', problem);
      try {
        const session = await stripe.createCheckout({ accountId: access.account.id, userId: access.user.id, amount });
        request.log.info({ accountId: access.account.id, checkoutSession: session.id, amount, currency }, 'stripe checkout session created');
        return reply.status(201).send({ id: session.id, url: session.url, amount, currency, credits: stripe.creditsFor(amount) });
      } catch (error) {
        if (!(error instanceof StripeApiFailure)) throw error;
        request.log.warn({ accountId: access.account.id, stripeErrorType: error.type, stripeStatus: error.statusCode }, 'stripe checkout session not created');
        throw new ApiError('payment_provider_error');
      }
    },
  );
}
