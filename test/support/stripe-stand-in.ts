// A stand-in for Stripe's API on 127.0.0.1, for the top-up suites: records every request (path,
// Authorization, the form-encoded body as a flat map) and answers POST /v1/checkout/sessions the
// way Stripe does, with a Checkout Session object. `refuseNext` makes the next call answer a
// Stripe error. Nothing leaves the machine.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StripeCall {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The form fields as Stripe's client encodes them: `line_items[0][price_data][currency]` → `usd`. */
  form: Record<string, string>;
}

export interface StripeStandIn {
  url: string;
  calls: StripeCall[];
  /** The next call answers this status with a Stripe error body naming `message`. */
  refuseNext(status: number, message: string): void;
  close(): Promise<void>;
}

export async function startStripeStandIn(): Promise<StripeStandIn> {
  const calls: StripeCall[] = [];
  let refusal: { status: number; message: string } | null = null;
  let sessions = 0;
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(parts).toString('utf8')));
      calls.push({ method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, form });
      const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_standin_${calls.length}` }).end(JSON.stringify(body));
      if (refusal) {
        const { status, message } = refusal;
        refusal = null;
        return json(status, { error: { type: 'invalid_request_error', message } });
      }
      if (req.method !== 'POST' || req.url !== '/v1/checkout/sessions') return json(404, { error: { type: 'invalid_request_error', message: 'Unrecognized request URL' } });
      const id = `cs_test_standin${++sessions}`;
      return json(200, {
        id,
        object: 'checkout.session',
        mode: form.mode,
        status: 'open',
        payment_status: 'unpaid',
        amount_total: Number(form['line_items[0][price_data][unit_amount]']),
        currency: form['line_items[0][price_data][currency]'],
        client_reference_id: form.client_reference_id ?? null,
        metadata: { account_id: form['metadata[account_id]'] },
        success_url: form.success_url,
        cancel_url: form.cancel_url,
        url: `https://checkout.stripe.com/c/pay/${id}`,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    refuseNext(status, message) {
      refusal = { status, message };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export const STRIPE_SECRET_KEY = 'sk_test_tollgate_standin_0123456789abcdef';
export const STRIPE_WEBHOOK_SECRET = 'whsec_tollgate_standin_0123456789abcdef';

/** The config file's billing section for a gateway that talks to `standIn`: 100 credits per cent. */
export function stripeBillingConfig(standIn: StripeStandIn): object {
  return {
    billing: {
      stripe: {
        secret_key: STRIPE_SECRET_KEY,
        webhook_secret: STRIPE_WEBHOOK_SECRET,
        api_base: standIn.url,
        currency: 'usd',
        credits_per_unit: 100,
        min_amount: 500,
        max_amount: 50_000,
        success_url: 'https://console.example.com/billing/done?session={CHECKOUT_SESSION_ID}',
        cancel_url: 'https://console.example.com/billing',
      },
    },
  };
}
