// What the request path and the credit routes need of a credit engine (SPEC §6, §8), whichever
// keeps the books: the storage ledger (credit-ledger.ts: one statement per reservation on
// PostgreSQL, exact across nodes sharing it; its settlements written in batches by
// settlement-batches.ts) or the
// in-memory engine of a single SQLite node (memory-credit-engine.ts: claims in memory, made durable
// by group commit).
import type { CreditBalance, Reservation } from '../storage/credits.js';
import type { BudgetRefusal } from './budget-claims.js';
import type { GrantInput, GrantResult, ReserveResult, SettleResult } from './credit-ledger.js';

export interface CreditEngine {
  /** How long a reservation may go unrenewed before a sweep may release it (the ticket renews at a third). */
  readonly reservationTtlMs: number;
  balance(accountId: string): Promise<CreditBalance>;
  /** Holds `amount` credits, and with `budgetKeyId` the budgets of that key and its account. */
  reserve(accountId: string, amount: number, requestId: string | null, budgetKeyId?: string | null): Promise<ReserveResult<BudgetRefusal>>;
  renew(reservation: Reservation): Promise<boolean>;
  /** Charges whole credits plus a sub-credit fraction through the carry; null when already settled. */
  settle(reservation: Reservation, charge: number, fraction?: bigint): Promise<SettleResult | null>;
  grant(input: GrantInput): Promise<GrantResult>;
  sweepExpired(limit?: number): Promise<number>;
}
