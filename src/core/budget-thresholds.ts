// Which budget thresholds a settlement crossed (SPEC §9: `budget.threshold` at 80, 90 and 100% of
// a budget, once per period each). Pure: the caller stores the highest one announced.

export const BUDGET_THRESHOLDS = [80, 90, 100] as const;

/**
 * The thresholds `spent` has reached that were not announced yet this period (every one crossed,
 * lowest first: a single settle from 70% to 100% announces 80, 90 and 100, since a listener may
 * act on any one of them).
 */
export function thresholdsCrossed(announced: number, spent: number, limit: number): number[] {
  if (limit <= 0) return [];
  // Integer arithmetic: spent × 100 ≥ percent × limit, so 79.999…% is never rounded up to 80.
  return BUDGET_THRESHOLDS.filter((percent) => percent > announced && spent * 100 >= percent * limit);
}
