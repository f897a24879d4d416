// One data-plane request's bookkeeping, from the moment it knows what it is for (a model or a
// route): the admission (rate limits and credit reservation, as numbers), how the request ended
// (told by its handler, or by the relay when a stream is over), and its settlement — the ticket
// settled exactly once (success, failure or client abort alike) and one usage record queued. The
// pipeline (data-plane-pipeline.ts) settles after the response is sent, never before.
import type { Logger } from 'pino';
import type { TokenUsage } from '../core/token-usage.js';
import { newTimeOrderedId } from '../core/ids.js';
import type { Admission, AdmissionDecision, AdmissionRequest, AdmissionTicket, Settlement } from '../limits/admission.js';
import { microsToDecimal, toMicros, unitsToDecimal } from '../core/sub-credits.js';
import { tokenRates } from '../credits/pricing.js';
import type { CheckedKey } from '../storage/api-keys.js';
import type { UsageRecord } from '../storage/usage-records.js';

export type CallOutcome = 'ok' | 'failed' | 'aborted';
export type AdmissionInput = Pick<AdmissionRequest, 'price' | 'estimatedInputTokens' | 'maxOutputTokens' | 'choices'>;
export interface CallSubject {
  model: string | null;
  route: string | null;
}
/** How a request ended: the status recorded, its outcome, and the usage to charge (null: nothing measurable). */
export interface CallEnding {
  status: number;
  outcome: CallOutcome;
  usage: TokenUsage | null;
}

export interface CallDeps {
  admission: Admission;
  recordUsage(record: UsageRecord): void;
  logger: Logger;
}

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
  /** Charged when the request ends without an ending of its own (an upstream that answered has read the prompt). */
  usageAtLeast: TokenUsage | null = null;
  /** How the request was settled, once `finish` has run (read by its trace span). */
  settled: (Omit<CallEnding, 'outcome'> & { outcome: UsageRecord['outcome']; credits: number }) | null = null;
  private ticket: AdmissionTicket | null = null;
  private ending: Promise<CallEnding> | null = null;
  private finished = false;

  constructor(
    private readonly deps: CallDeps,
    readonly requestId: string,
    readonly key: CheckedKey,
    private readonly subject: CallSubject,
  ) {}

  /** Rate limits (key, then account) and the credit reservation, as a value; an admitted ticket is kept. */
  async decide(request: AdmissionInput): Promise<AdmissionDecision> {
    // Field by field, not `{ ...request, accountId, … }` (ARCHITECTURE.md, "Hot-path objects").
    const decision = await this.deps.admission.admit({
      price: request.price,
      estimatedInputTokens: request.estimatedInputTokens,
      maxOutputTokens: request.maxOutputTokens,
      choices: request.choices,
      accountId: this.key.accountId,
      keyId: this.key.id,
      keyLimits: this.key.rateLimit,
      requestId: this.requestId,
    });
    if (decision.ok) this.ticket = decision.ticket;
    return decision;
  }

  /** The handler's account of how the request ended; the first one told counts. */
  end(ending: CallEnding): void {
    this.ending ??= Promise.resolve(ending);
  }

  /** For an answer relayed after the handler returns: the ending arrives when the relay is over. */
  endsWhen(ending: Promise<CallEnding>): void {
    this.ending ??= ending;
  }

  /**
   * Settles and records the request — with the ending its handler told, else `otherwise` (and the
   * usage it must be charged at least) — and returns the credits charged; later calls do nothing.
   * Never throws.
   */
  async finish(otherwise: Omit<CallEnding, 'usage'>): Promise<number> {
    if (this.finished) return 0;
    this.finished = true;
    const { status, outcome, usage } = (await this.ending) ?? { status: otherwise.status, outcome: otherwise.outcome, usage: this.usageAtLeast };
    let credits = 0;
    let charge: Settlement['charge'] = null;
    if (this.ticket) {
      try {
        // After a failover the target that answered is charged its own price, not the one reserved for.
        if (this.target) this.ticket.answeredBy(this.target);
        ({ credits, charge = null } = await this.ticket.settle(usage, outcome));
      } catch (error) {
        this.deps.logger.error({ err: error, requestId: this.requestId }, 'could not settle a request');
      }
    }
    this.settled = { status, outcome: this.ticket ? outcome : 'refused', usage, credits };
    this.deps.recordUsage(this.usageRecord(status, this.settled.outcome, usage, credits, charge));
    return credits;
  }

  private usageRecord(status: number, outcome: UsageRecord['outcome'], usage: TokenUsage | null, credits: number, charge: Settlement['charge']): UsageRecord {
    const price = charge && pricedAt(charge, usage);
    return {
      id: newTimeOrderedId('use'),
      requestId: this.requestId,
      accountId: this.key.accountId,
      keyId: this.key.id,
      model: this.subject.model,
      route: this.subject.route,
      provider: this.target?.provider ?? null,
      targetModel: this.target?.model ?? null,
      sessionId: this.sessionId,
      status,
      outcome,
      inputTokens: usage?.inputTokens ?? 0,
      outputTokens: usage?.outputTokens ?? 0,
      credits,
      latencyMs: performance.now() - this.startedMs,
      failovers: this.failovers,
      createdAt: this.createdAt,
      clientRequestId: this.clientRequestId,
      priceSource: price?.source ?? null,
      priceInputPerMtok: price?.inputPerMtok ?? null,
      priceOutputPerMtok: price?.outputPerMtok ?? null,
      pricePerRequest: price?.perRequest ?? null,
      exactCost: price?.exactCost ?? null,
    };
  }
}

/** What a usage record keeps of the price a request was charged at (SPEC §8), as exact decimals. */
function pricedAt({ price, exact }: NonNullable<Settlement['charge']>, usage: TokenUsage | null) {
  // The tier the request was priced at, for a catalogue price with long-context tiers.
  const rates = tokenRates(price, usage?.inputTokens ?? 0);
  return {
    source: price.source ?? 'operator',
    inputPerMtok: microsToDecimal(toMicros(rates.inputPerMtok)),
    outputPerMtok: microsToDecimal(toMicros(rates.outputPerMtok)),
    perRequest: microsToDecimal(toMicros(price.perRequest)),
    exactCost: unitsToDecimal(exact),
  };
}
