// Fans key-change events (and catalog and budget changes) out to every Tollgate node over Redis pub/sub, so
// a key revoked on one node is refused by the others within 1 s (SPEC §2). Local events on
// `KeyEvents` are published; events from other nodes are replayed into the local `KeyEvents`, so
// every listener — the key cache first — sees both alike.
//
// The bus reports whether it can be trusted: it is healthy only while subscribed AND its own
// heartbeat comes back through Redis. When it is not, caches fall back to a 30 s trust window;
// when it comes back, `onResync` tells them to forget everything, because events sent meanwhile
// were lost (pub/sub does not queue for absent subscribers).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { KeyEvents } from './key-events.js';

export const KEY_BUS_CHANNEL = 'tollgate:changes';
/** How often the composition root calls `ping()`. */
export const KEY_BUS_HEARTBEAT_MS = 2_000;
const HEARTBEAT_GRACE_MS = 6_000;

type Message = { n: string; k: 'key' | 'catalog' | 'budgets' | 'webhooks'; id: string } | { n: string; k: 'ping' };

export interface RedisKeyBusOptions {
  /** Two connections built (lazily) and closed by the composition root: a subscribed one cannot publish. */
  subscriber: Redis;
  publisher: Redis;
  keyEvents: KeyEvents;
  logger: Logger;
  /** A catalog (providers, aliases, routes) change from another node; id = account id or "*". */
  onCatalogChanged?: (owner: string) => void;
  /** A budget of this account was set or cleared on another node. */
  onBudgetsChanged?: (accountId: string) => void;
  /** A webhook endpoint of this account was created, changed or deleted on another node. */
  onWebhooksChanged?: (accountId: string) => void;
  /** The subscription was (re)established: anything cached before may have missed events. */
  onResync?: () => void;
}

export class RedisKeyBus {
  readonly nodeId = randomBytes(8).toString('hex');
  private readonly subscriber: Redis;
  private readonly publisher: Redis;
  private subscribed = false;
  private lastHeartbeatMs = 0;
  private relaying = false;
  private readonly unlisten: () => void;

  constructor(private readonly options: RedisKeyBusOptions) {
    this.subscriber = options.subscriber;
    this.publisher = options.publisher;
    for (const client of [this.subscriber, this.publisher]) {
      client.on('error', (error: Error) => options.logger.warn({ err: { message: error.message } }, 'redis key bus connection error'));
    }
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => (this.subscribed = false));
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
    this.unlisten = options.keyEvents.onChanged((keyId) => {
      if (!this.relaying) this.publish({ n: this.nodeId, k: 'key', id: keyId });
    });
  }

  /** The heartbeat: our own ping coming back proves the subscription works (see `healthy`). */
  ping(): void {
    this.publish({ n: this.nodeId, k: 'ping' });
  }

  /** Connects both clients; resolves once subscribed (or rejects if Redis is unreachable). */
  async start(): Promise<void> {
    await Promise.all([this.subscriber.connect(), this.publisher.connect()]);
    await this.subscribe();
  }

  /** Subscribed, and our own heartbeat came back recently: other nodes' events reach us. */
  get healthy(): boolean {
    return this.subscribed && Date.now() - this.lastHeartbeatMs < HEARTBEAT_GRACE_MS;
  }

  /** Tells the other nodes that an owner's catalog changed ("*" = server-wide). */
  catalogChanged(owner: string): void {
    this.publish({ n: this.nodeId, k: 'catalog', id: owner });
  }

  /** Tells the other nodes that a budget of this account was set or cleared. */
  budgetsChanged(accountId: string): void {
    this.publish({ n: this.nodeId, k: 'budgets', id: accountId });
  }

  /** Tells the other nodes that a webhook endpoint of this account was created, changed or deleted. */
  webhooksChanged(accountId: string): void {
    this.publish({ n: this.nodeId, k: 'webhooks', id: accountId });
  }

  private async subscribe(): Promise<void> {
    if (this.subscribed) return;
    try {
      await this.subscriber.subscribe(KEY_BUS_CHANNEL);
      this.subscribed = true;
      // Counts as heard: the subscription is fresh, and a ping is on its way to confirm it.
      this.lastHeartbeatMs = Date.now();
      this.options.onResync?.();
      this.publish({ n: this.nodeId, k: 'ping' });
    } catch (error) {
      this.options.logger.warn({ err: { message: (error as Error).message } }, 'redis key bus could not subscribe');
    }
  }

  private publish(message: Message): void {
    if (this.publisher.status !== 'ready') return;
    this.publisher.publish(KEY_BUS_CHANNEL, JSON.stringify(message)).catch((error: Error) => {
      this.options.logger.warn({ err: { message: error.message } }, 'redis key bus could not publish');
    });
  }

  private receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.k === 'ping') {
      if (message.n === this.nodeId) this.lastHeartbeatMs = Date.now();
      return;
    }
    if (message.n === this.nodeId || typeof message.id !== 'string') return;
    if (message.k === 'catalog') {
      this.options.onCatalogChanged?.(message.id);
      return;
    }
    if (message.k === 'budgets') {
      this.options.onBudgetsChanged?.(message.id);
      return;
    }
    if (message.k === 'webhooks') {
      this.options.onWebhooksChanged?.(message.id);
      return;
    }
    this.relaying = true;
    try {
      this.options.keyEvents.changed(message.id);
    } finally {
      this.relaying = false;
    }
  }

  /** Stops relaying; the connections are the composition root's to close. */
  close(): void {
    this.unlisten();
    this.subscribed = false;
  }
}
