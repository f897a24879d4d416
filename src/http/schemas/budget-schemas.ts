// The budget object of SPEC §8, shared by key bodies (personal and org), the account budget routes
// and every read of a key or account.
import { Type } from '@sinclair/typebox';

const Period = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month'), Type.Literal('total')]);

export const BudgetBody = Type.Object(
  {
    /** Whole credits per period. */
    limit: Type.Integer({ minimum: 1, maximum: 1_000_000_000_000_000 }),
    period: Period,
    /** IANA name (checked with Intl); default UTC. */
    time_zone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);

/** A budget, or null to clear it. */
export const NullableBudgetBody = Type.Union([BudgetBody, Type.Null()]);

export const BudgetOut = Type.Union([
  Type.Object({
    limit: Type.Integer(),
    period: Period,
    time_zone: Type.String(),
    /** Settled charges plus the holds of requests in flight, in the current period. */
    spent: Type.Integer(),
    remaining: Type.Integer(),
    /** When the current period ends; null for `total`. */
    resets_at: Type.Union([Type.String(), Type.Null()]),
  }),
  Type.Null(),
]);

export const AccountBudgetOut = Type.Object({ account_id: Type.String(), budget: BudgetOut });
