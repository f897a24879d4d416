// Everything relative: latency each target adds over the bare upstream, and its throughput as a
// fraction of each floor's. Differences and ratios are taken between medians.
import type { TargetComparison, TargetResult } from './bench-result.js';

export const DIRECT = 'direct';
export const NODE_FLOOR = 'node-floor';
export const NGINX = 'nginx';

export function compareTargets(results: readonly TargetResult[]): TargetComparison[] {
  const byName = new Map(results.map((result) => [result.name, result]));
  const direct = byName.get(DIRECT);
  return results
    .filter((result) => result.name !== DIRECT)
    .map((result) => ({
      name: result.name,
      added: addedOver(result, direct, ['c1', 'c64', 'rate']),
      ...(result.ttfb && direct?.ttfb ? { addedTtfbMs: result.ttfb.p50Ms - direct.ttfb.p50Ms } : {}),
      vsNodeFloor: throughputRatios(result, byName.get(NODE_FLOOR)),
      vsNginx: throughputRatios(result, byName.get(NGINX)),
      capacityVsNodeFloor: capacityRatios(result, byName.get(NODE_FLOOR)),
      capacityVsNginx: capacityRatios(result, byName.get(NGINX)),
    }));
}

function addedOver(result: TargetResult, direct: TargetResult | undefined, ids: readonly string[]) {
  const added: TargetComparison['added'] = {};
  for (const id of ids) {
    const mine = result.scenarios.find((scenario) => scenario.id === id);
    const base = direct?.scenarios.find((scenario) => scenario.id === id);
    if (mine && base) {
      added[id] = { p50Ms: mine.median.p50Ms - base.median.p50Ms, p99Ms: mine.median.p99Ms - base.median.p99Ms };
    }
  }
  return added;
}

function throughputRatios(result: TargetResult, floor: TargetResult | undefined): Record<string, number> {
  const ratios: Record<string, number> = {};
  if (floor === undefined || floor === result) return ratios;
  for (const scenario of result.scenarios) {
    // The fixed-rate run's throughput is set by the load generator, so a ratio would say nothing.
    if (scenario.overallRate !== undefined) continue;
    const base = floor.scenarios.find((candidate) => candidate.id === scenario.id);
    if (base && base.median.reqPerS > 0) ratios[scenario.id] = scenario.median.reqPerS / base.median.reqPerS;
  }
  return ratios;
}

function capacityRatios(result: TargetResult, floor: TargetResult | undefined): Record<string, number> {
  const ratios: Record<string, number> = {};
  if (floor === undefined || floor === result) return ratios;
  for (const scenario of result.scenarios) {
    const base = floor.scenarios.find((candidate) => candidate.id === scenario.id);
    const mine = scenario.median.targetCpuUsPerReq;
    const theirs = base?.median.targetCpuUsPerReq;
    if (mine !== undefined && theirs !== undefined && mine > 0) ratios[scenario.id] = theirs / mine;
  }
  return ratios;
}
