// Group reservations on PostgreSQL: the requests of one account (and key, when budgets apply) that
// arrive while that account's reservation statement is under way are reserved together by the next
// one — one row holding the sum of their costs, all of it or none — instead of one statement each.
//
// Why: a reservation locks the account's balance row (and its budgets' spend rows), and PostgreSQL
// keeps a row lock until the commit has reached the disk, so one account's reservations pass one at
// a time, each waiting for a disk flush (≈ 0.6 ms here): about a thousand a second whatever the CPU
// (BENCHMARKS.md). Grouped, one flush admits every request that queued behind it.
//
// Nothing else changes: a request alone (nothing under way for its account) reserves as before; each
// request of a group gets a claim of its own (its id, its amount), settled on its own by the
// settlement batch, which gives the claim's amount back from the group's row (shrinkReservations), and
// deletes the row with the last claim. `reserved` and a budget's held spend still show exactly what
// requests in flight hold. A group that does not fit is not partly admitted: its requests then reserve
// one by one, so the last credits of a balance or budget go exactly as far as before, with the same
// refusals. A killed node's groups are swept like its reservations.
import { newTimeOrderedId } from '../core/ids.js';
import { LaneBatches } from '../core/lane-batches.js';
import type { Reservation } from '../storage/credits.js';
import type { BudgetRefusal } from './budget-claims.js';
import type { CreditLedger, ReserveResult } from './credit-ledger.js';

/** A stored group reservation and how many of its claims are not settled yet. */
export interface Group {
  readonly reservation: Reservation;
  open: number;
}

/** One request's reservation, in its account's (and budget key's) lane. */
interface Asked {
  accountId: string;
  budgetKeyId: string | null;
  amount: number;
  requestId: string | null;
}

type Answer = ReserveResult<BudgetRefusal>;

export class ReservationGroups {
  /** A lane per account and budget key: the first request alone, then whoever queued behind it, together. */
  private readonly lanes = new LaneBatches<Asked, Answer>((asked) => this.reserveGroup(asked), Number.POSITIVE_INFINITY);
  /** Claims not yet settled, by their own reservation id. */
  private readonly claims = new Map<string, Group>();

  constructor(
    private readonly ledger: CreditLedger<BudgetRefusal>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  reserve(accountId: string, amount: number, requestId: string | null, budgetKeyId: string | null): Promise<Answer> {
    return this.lanes.submit(`${accountId}\u0000${budgetKeyId ?? ''}`, { accountId, budgetKeyId, amount, requestId });
  }

  /** The group a claim belongs to; undefined for a reservation of its own. */
  groupOf(reservationId: string): Group | undefined {
    return this.claims.get(reservationId);
  }

  /** A claim's group row is what storage holds and renews. */
  stored(reservation: Reservation): Reservation {
    return this.claims.get(reservation.id)?.reservation ?? reservation;
  }

  /** Settled and committed: the claim is forgotten, and its group once every claim is. */
  settled(reservationId: string): void {
    const group = this.claims.get(reservationId);
    if (!group) return;
    this.claims.delete(reservationId);
    group.open -= 1;
  }

  /** Reserves a lane's requests as one group; alone, or a group that does not fit, one by one. */
  private async reserveGroup(members: readonly Asked[]): Promise<Array<Answer | Promise<Answer>>> {
    const { accountId, budgetKeyId } = members[0]!;
    if (members.length > 1) {
      const total = members.reduce((sum, member) => sum + member.amount, 0);
      const held = await this.ledger.reserve(accountId, total, null, budgetKeyId);
      if (held.ok) {
        const group: Group = { reservation: held.reservation, open: members.length };
        const at = this.now();
        return members.map((member): Answer => {
          const claim: Reservation = { id: newTimeOrderedId('led', at.getTime()), accountId, amount: member.amount, requestId: member.requestId, createdAt: at.toISOString(), expiresAt: held.reservation.expiresAt };
          this.claims.set(claim.id, group);
          return { ok: true, reservation: claim };
        });
      }
    }
    // Exactly as far as the balance and budgets go; each answers (or fails) alone, and the lane's next
    // statement waits for all of them.
    const each = members.map((member) => this.ledger.reserve(accountId, member.amount, member.requestId, budgetKeyId));
    await Promise.allSettled(each);
    return each;
  }
}
