// One webhook attempt (SPEC §9, Standard Webhooks): POST the event as JSON with webhook-id (the
// message id, the same on every attempt), webhook-timestamp and webhook-signature (`v1,<base64
// HMAC-SHA256 of "{id}.{timestamp}.{body}">`, made by the standardwebhooks package). The receiver's
// URL follows the upstream safety rules of SPEC §7: unless the operator allows private upstreams,
// an address literal is re-checked here and a host name goes through the guarded lookup, which
// refuses a name that resolves to a private address at connect time (DNS rebinding). Redirects
// are not followed. The answer's body is discarded: only its status is kept, never its content.
import { Webhook } from 'standardwebhooks';
import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { checkUpstreamUrl } from '../core/private-address.js';
import { classifyUpstreamError } from '../upstream/upstream-client.js';

export const ATTEMPT_TIMEOUT_MS = 10_000;

export interface WebhookMessage {
  /** The message id (webhook-id). */
  id: string;
  url: string;
  secret: string;
  body: string;
  at: Date;
}

/** A 2xx is delivered; anything else (another status, a timeout, a refused address) is retried. */
export type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; reason: string };

export interface WebhookSenderOptions {
  dispatcher: Dispatcher;
  /** TOLLGATE_ALLOW_PRIVATE_UPSTREAMS: receivers on private addresses are allowed. */
  allowPrivate: boolean;
  timeoutMs?: number;
}

export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  async send(message: WebhookMessage): Promise<AttemptResult> {
    if (!checkUpstreamUrl(message.url, this.options.allowPrivate).ok) return { ok: false, status: null, reason: 'blocked' };
    const signature = new Webhook(message.secret).sign(message.id, message.at, message.body);
    const signal = AbortSignal.timeout(this.options.timeoutMs ?? ATTEMPT_TIMEOUT_MS);
    try {
      const response = await request(message.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Tollgate-Webhooks',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(message.at.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: message.body,
        signal,
        dispatcher: this.options.dispatcher,
      });
      await response.body.dump().catch(() => undefined);
      const status = response.statusCode;
      return status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, reason: `http_${status}` };
    } catch (error) {
      const failure = signal.aborted ? 'timeout' : classifyUpstreamError(error, signal);
      return { ok: false, status: null, reason: failure };
    }
  }
}
