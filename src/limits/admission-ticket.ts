// What an admitted request holds until it ends: its limiter slots and token count, and its credit
// reservation. settle() runs once however often it is called (the first call's promise is
// returned again), so the gateway may call it from every exit path without double charging.
// While the request runs, the ticket renews both its concurrency leases and its reservation,
// however long that is (issue 9 item 13): the lease and reservation TTLs then only ever free what
// a dead node held, never a live request's claim.
import type { Logger } from 'pino';
import type { CreditEngine } from '../credits/credit-engine.js';
import type { TargetPrice } from '../credits/price-lookup.js';
import { isPriced, settlementCost, type Price } from '../credits/pricing.js';
import { UNITS_PER_CREDIT } from '../core/sub-credits.js';
import type { Reservation } from '../storage/credits.js';
import type { AdmissionTicket, Settlement, Usage } from './admission.js';
import type { LimitRule } from './limit-rules.js';
import type { LimiterHold } from './limiter-store.js';

export interface TicketParts {
  hold: LimiterHold | null;
  rules: LimitRule[];
  /** Tokens counted against tokens-per-minute at admission. */
  countedTokens: number;
  /** The price reserved for: the dearest candidate target's. */
  price: Price | null;
  /** Each candidate target's own price: the one that answered is charged its own (price-lookup.ts). */
  targetPrices: readonly TargetPrice[];
  reservation: Reservation | null;
  ledger: CreditEngine;
  logger: Logger;
  /** Renew concurrency leases this often while the request runs (0: never). */
  renewEveryMs: number;
}

const SETTLE_RETRY_DELAYS_MS = [50, 250, 1_000];

export class CreditAdmissionTicket implements AdmissionTicket {
  private settled: Promise<Settlement> | null = null;
  private readonly renewTimers: NodeJS.Timeout[] = [];
  private price: Price | null;

  constructor(private readonly parts: TicketParts) {
    this.price = parts.price;
    const { hold, reservation, ledger, logger } = parts;
    if (hold && parts.renewEveryMs > 0 && parts.rules.some((rule) => rule.kind === 'concurrency')) {
      this.every(parts.renewEveryMs, function renewLeases() {
        void hold.renew().catch(() => undefined);
      });
    }
    // A third of the TTL: two renewals may fail (storage blips) before the sweeper could see it.
    if (reservation) {
      this.every(Math.max(1_000, Math.floor(ledger.reservationTtlMs / 3)), function renewReservation() {
        ledger.renew(reservation).catch((error: unknown) => logger.warn({ err: error, reservation: reservation.id }, 'could not renew a credit reservation'));
      });
    }
  }

  private every(ms: number, renew: () => void): void {
    this.renewTimers.push(setInterval(renew, ms).unref());
  }

  answeredBy(target: { provider: string; model: string }): void {
    const answered = this.parts.targetPrices.find((p) => p.target?.provider === target.provider && p.target.model === target.model);
    if (answered) this.price = isPriced(answered.price) ? answered.price : null;
  }

  settle(usage: Usage | null, outcome: 'ok' | 'failed' | 'aborted'): Promise<Settlement> {
    this.settled ??= this.settleOnce(usage, outcome);
    return this.settled;
  }

  private async settleOnce(usage: Usage | null, outcome: 'ok' | 'failed' | 'aborted'): Promise<Settlement> {
    for (const timer of this.renewTimers) clearInterval(timer);
    const { price } = this;
    const { reservation } = this.parts;
    const exact = price ? settlementCost(price, usage, outcome) : 0n;
    const [credits] = await Promise.all([
      reservation ? this.settleCredits(reservation, exact) : Promise.resolve(0),
      this.releaseLimits(usage),
    ]);
    return { credits, charge: price && reservation ? { price, exact } : null };
  }

  /**
   * Retries a failed settlement briefly; if the database stays down the sweeper releases the hold
   * later (and the charge is lost with the node's memory: logged as an error).
   */
  private async settleCredits(reservation: Reservation, exact: bigint): Promise<number> {
    // Whole credits at once, the rest through the account's carry (src/core/sub-credits.ts).
    const charge = Number(exact / UNITS_PER_CREDIT);
    const fraction = exact % UNITS_PER_CREDIT;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.parts.ledger.settle(reservation, charge, fraction);
        return result?.charged ?? 0;
      } catch (error) {
        const delay = SETTLE_RETRY_DELAYS_MS[attempt];
        if (delay === undefined) {
          this.parts.logger.error({ err: error, reservation: reservation.id, charge, fraction: fraction.toString() }, 'credit settlement failed; the reservation will expire unsettled');
          return 0;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Corrects tokens-per-minute to the tokens actually used and frees the concurrency slots. */
  private async releaseLimits(usage: Usage | null): Promise<void> {
    const hold = this.parts.hold;
    if (!hold) return;
    const used = usage ? Math.max(0, usage.inputTokens) + Math.max(0, usage.outputTokens) : 0;
    const delta = used - this.parts.countedTokens;
    try {
      await hold.end(delta);
    } catch (error) {
      // The shared store is down: its leases expire on their own; never fail the request for it.
      this.parts.logger.warn({ err: error }, 'could not release rate-limit slots; they will expire');
    }
  }
}
