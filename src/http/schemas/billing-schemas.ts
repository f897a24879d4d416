// Request and response schemas of the credit top-up routes (issue 13 item 3).
import { Type } from '@sinclair/typebox';

/** Bounded by the schema so a wild number is a 422 before the configured min/max are read. */
export const TopUpBody = Type.Object(
  { amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: "Minor units of the server's currency (cents for usd), within billing.stripe.min_amount..max_amount." }) },
  { additionalProperties: false },
);

export const TopUpOut = Type.Object({
  id: Type.String({ description: 'The Stripe Checkout Session id (cs_…).' }),
  url: Type.String({ description: "Stripe's hosted payment page: send the payer there." }),
  amount: Type.Integer(),
  currency: Type.String(),
  credits: Type.Integer({ description: 'Credits the payment will grant at the current rate.' }),
});

export const StripeWebhookOut = Type.Object({
  received: Type.Boolean(),
  outcome: Type.Union([Type.Literal('granted'), Type.Literal('duplicate'), Type.Literal('ignored')]),
});
