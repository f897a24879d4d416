// Order statistics for latency samples and for the medians of repeated runs.

/** The p-th percentile (0–100) by the nearest-rank method; NaN for no samples. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}

export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}
