// Selling credits through Stripe Checkout (issue 13 item 3): the one Stripe client of the process
// (built by the composition root, pointed at `billing.stripe.api_base`), creating a Checkout
// Session for a top-up, and verifying webhook deliveries. Stripe's signature check is HMAC-SHA256
// over `{timestamp}.{raw body}`, compared in constant time, with a 5-minute tolerance on the
// timestamp against replays (https://docs.stripe.com/webhooks#verify-events): it must see the
// body byte for byte, which is why the webhook route keeps the raw body.
//
// SECURITY: the secret key and the webhook secret live in config only; no log line, error or
// answer carries them, nor Stripe's error messages (which may echo request parameters).
import type { Agent } from 'node:http';
import type Stripe from 'stripe';
import type { ConfigFile } from '../config-file.js';
import { apiEndpointOf, creditsForPayment } from '../core/top-up-rules.js';

export type StripeBillingConfig = NonNullable<NonNullable<ConfigFile['billing']>['stripe']>;

export interface TopUpRequest {
  accountId: string;
  userId: string;
  /** Minor units of the configured currency, already within the configured bounds. */
  amount: number;
}

export interface CheckoutCreated {
  id: string;
  url: string;
}

/** A refusal from Stripe's API, reduced to what may be logged: never its message. */
export class StripeApiFailure extends Error {
  constructor(
    readonly type: string,
    readonly statusCode: number | undefined,
  ) {
    super(`Stripe refused or did not answer (${type}${statusCode ? `, ${statusCode}` : ''})`);
    this.name = 'StripeApiFailure';
  }
}

export class StripeTopUps {
  private constructor(
    readonly settings: Readonly<StripeBillingConfig>,
    private readonly client: Stripe,
  ) {}

  /** The client for these settings. Stripe's library is loaded here, so a node that sells no credits never loads it. */
  static async create(settings: Readonly<StripeBillingConfig>, agent: Agent, timeoutMs = 20_000): Promise<StripeTopUps> {
    const endpoint = apiEndpointOf(settings.api_base);
    if (!endpoint) throw new Error('billing.stripe.api_base is not a bare https origin');
    const { default: Stripe } = await import('stripe');
    const client = new Stripe(settings.secret_key, {
      host: endpoint.host,
      port: endpoint.port,
      protocol: endpoint.protocol,
      httpAgent: agent,
      timeout: timeoutMs,
      // One retry on a network failure, under the idempotency key the library adds to it.
      maxNetworkRetries: 1,
      telemetry: false,
    });
    return new StripeTopUps(settings, client);
  }

  /** Credits a payment of `amount` minor units buys under the current configuration. */
  creditsFor(amount: number): number {
    return creditsForPayment(amount, this.settings.credits_per_unit);
  }

  /**
   * A hosted Checkout Session for one top-up. The account is named twice, in
   * `client_reference_id` and `metadata.account_id`; the webhook grants to it and to nothing else.
   */
  async createCheckout(request: TopUpRequest): Promise<CheckoutCreated> {
    const { settings } = this;
    let session: Stripe.Checkout.Session;
    try {
      session = await this.client.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            quantity: 1,
            price_data: { currency: settings.currency, unit_amount: request.amount, product_data: { name: settings.product_name } },
          },
        ],
        client_reference_id: request.accountId,
        metadata: { account_id: request.accountId, requested_by: request.userId, credits: String(this.creditsFor(request.amount)) },
        success_url: settings.success_url,
        cancel_url: settings.cancel_url,
      });
    } catch (error) {
      const { type, statusCode } = (error ?? {}) as { type?: unknown; statusCode?: unknown };
      throw new StripeApiFailure(typeof type === 'string' ? type : 'network_error', typeof statusCode === 'number' ? statusCode : undefined);
    }
    if (!session.url) throw new StripeApiFailure('no_checkout_url', undefined);
    return { id: session.id, url: session.url };
  }

  /** The event, when `signature` (the Stripe-Signature header) verifies over `rawBody`; else null. */
  verifyEvent(rawBody: Buffer, signature: string | undefined): Stripe.Event | null {
    if (!signature) return null;
    try {
      return this.client.webhooks.constructEvent(rawBody, signature, this.settings.webhook_secret);
    } catch {
      // Every failure (no matching signature, stale timestamp, malformed header or body) is the
      // same answer to the sender; Stripe's message is not needed to tell which.
      return null;
    }
  }
}
