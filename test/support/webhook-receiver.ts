// A webhook receiver for the event suites: a node:http server on loopback that records every POST
// (headers and raw body) and answers with the statuses it is told to, in order (then 200). Each
// delivery is checked the way a real receiver would: with the standardwebhooks package.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** Statuses to answer with next, in order; afterwards 200. */
  answers: number[];
  /** The events received, each verified under `secret` (throws on a bad signature). */
  verified(secret: string): Array<{ webhookId: string; event: { id: string; type: string; created_at: string; account_id: string; data: Record<string, unknown> } }>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks'): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.statusCode = answers.shift() ?? 200;
      response.end('{"ok":true,"echo":"receiver body is never stored"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    answers,
    verified(secret) {
      const webhook = new Webhook(secret);
      return received.map((r) => {
        const headers = { 'webhook-id': String(r.headers['webhook-id']), 'webhook-timestamp': String(r.headers['webhook-timestamp']), 'webhook-signature': String(r.headers['webhook-signature']) };
        return { webhookId: headers['webhook-id'], event: webhook.verify(r.body, headers) as ReturnType<WebhookReceiver['verified']>[number]['event'] };
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
