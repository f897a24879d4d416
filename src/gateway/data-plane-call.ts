// One data-plane request's bookkeeping, from the moment its key is known: the admission (rate
// limits and credit reservation, whose headers go on the response), and its end — the ticket
// settled exactly once (success, failure or client abort alike) and one usage record queued.
import type { FastifyReply } from 'fastify';
import type { TokenUsage } from '../core/token-usage.js';
import { newId } from '../core/ids.js';
import type { AdmissionDecision, AdmissionRequest, AdmissionTicket } from '../limits/admission.js';
import type { Services } from '../services.js';
import type { ApiKeyRecord } from '../storage/api-keys.js';
import type { UsageRecord } from '../storage/usage-records.js';

export type CallOutcome = 'ok' | 'failed' | 'aborted';
export type AdmissionInput = Pick<AdmissionRequest, 'price' | 'estimatedInputTokens' | 'maxOutputTokens' | 'choices'>;

/** Status recorded for a request whose client went away (nginx's convention). */
export const CLIENT_CLOSED_STATUS = 499;

export class DataPlaneCall {
  readonly createdAt = new Date().toISOString();
  private readonly startedMs = performance.now();
  target: { provider: string; model: string } | null = null;
  sessionId: string | null = null;
  failovers = 0;
  /** The caller's own X-Request-Id, stored beside Tollgate's id for correlation. */
  clientRequestId: string | null = null;
  private ticket: AdmissionTicket | null = null;
  private finished = false;

  constructor(
    private readonly services: Services,
    readonly requestId: string,
    readonly key: ApiKeyRecord,
    private readonly subject: { model: string | null; route: string | null },
  ) {}

  /**
   * Rate limits (key, then account) and the credit reservation; throws 429/402 when refused.
   * Returns the output-token cap the reservation covers, when the admission set one.
   */
  async admit(reply: FastifyReply, request: AdmissionInput): Promise<number | null> {
    const decision = await this.decide(request);
    reply.headers(decision.headers);
    if (!decision.ok) throw decision.error;
    return decision.maxOutputTokens ?? null;
  }

  /** The admission as a value (for verify endpoints that answer a refusal with 200). */
  async decide(request: AdmissionInput): Promise<AdmissionDecision> {
    const decision = await this.services.admission.admit({
      ...request,
      accountId: this.key.accountId,
      keyId: this.key.id,
      keyLimits: this.key.rateLimit,
      requestId: this.requestId,
    });
    if (decision.ok) this.ticket = decision.ticket;
    return decision;
  }

  /** Settles and records the request, returning the credits charged; later calls do nothing. Never throws. */
  async finish(status: number, outcome: CallOutcome, usage: TokenUsage | null): Promise<number> {
    if (this.finished) return 0;
    this.finished = true;
    let credits = 0;
    if (this.ticket) {
      try {
        // After a failover the target that answered is charged its own price, not the one reserved for.
        if (this.target) this.ticket.answeredBy(this.target);
        credits = (await this.ticket.settle(usage, outcome)).credits;
      } catch (error) {
        this.services.logger.error({ err: error, requestId: this.requestId }, 'could not settle a request');
      }
    }
    const record: UsageRecord = {
      id: newId('use'),
      requestId: this.requestId,
      accountId: this.key.accountId,
      keyId: this.key.id,
      model: this.subject.model,
      route: this.subject.route,
      provider: this.target?.provider ?? null,
      targetModel: this.target?.model ?? null,
      sessionId: this.sessionId,
      status,
      outcome: this.ticket ? outcome : 'refused',
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      credits,
      latencyMs: performance.now() - this.startedMs,
      failovers: this.failovers,
      createdAt: this.createdAt,
      clientRequestId: this.clientRequestId,
    };
    this.services.gateway.usage.record(record);
    return credits;
  }
}

/** The status an error will be rendered with (ApiError's, else 500). */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown; statusCode?: unknown } | null)?.status ?? (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}
