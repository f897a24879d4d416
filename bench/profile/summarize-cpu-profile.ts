// Reads a V8 .cpuprofile (written by `node --cpu-prof`) and ranks where the time went: self time
// per function (time spent in the function's own code, as sampled), inclusive time per function
// (itself plus everything it called, each sample counted once per function even under recursion),
// and self time per source file or package. Pure: takes the parsed JSON, returns the tables.

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface RankedCost {
  /** `name (file:line)`, file relative to the repository, or a package name. */
  label: string;
  ms: number;
  /** Share of all sampled time, including idle. */
  pct: number;
  /** Share of the sampled time the process was busy (idle and the profiler's own ticks excluded). */
  busyPct: number;
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  idleMs: number;
  selfByFunction: RankedCost[];
  inclusiveByFunction: RankedCost[];
  selfByFile: RankedCost[];
}

const NOT_BUSY = new Set(['(idle)', '(program)', '(garbage collector)']);

/** Where a frame lives: `src/…` and `bench/…` for our code, the package for node_modules, `node:…` for built-ins. */
export function frameFile(url: string, root: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice('file://'.length)) : url;
  const nodeModules = path.lastIndexOf('/node_modules/');
  if (nodeModules >= 0) {
    const rest = path.slice(nodeModules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  if (path.startsWith(root)) return path.slice(root.length).replace(/^\/+/, '');
  return path;
}

function frameLabel(node: CpuProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || '(anonymous)';
  if (url === '') return name;
  return `${name} (${frameFile(url, root)}:${lineNumber + 1})`;
}

/**
 * `window` limits the summary to samples taken between two instants of the monotonic clock, in
 * microseconds (V8 stamps samples with CLOCK_MONOTONIC on Linux, the clock of process.hrtime): the
 * load phase alone, without start-up and shutdown.
 */
export function summarizeCpuProfile(profile: CpuProfile, root: string, top = 25, window?: { fromUs: number; toUs: number }): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; attribute the interval after it to sample i, as
  // Chrome DevTools does (the next delta), so the last sample's time is not lost to the first.
  let at = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    at += deltas[i] ?? 0;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const us = Math.max(0, deltas[i + 1] ?? 0);
    selfUs.set(samples[i]!, (selfUs.get(samples[i]!) ?? 0) + us);
  }
  let totalUs = 0;
  let idleUs = 0;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    totalUs += us;
    const label = frameLabel(node, root);
    if (NOT_BUSY.has(node.callFrame.functionName) && node.callFrame.url === '') {
      if (node.callFrame.functionName !== '(garbage collector)') idleUs += us;
    }
    self.set(label, (self.get(label) ?? 0) + us);
    const file = node.callFrame.url === '' ? node.callFrame.functionName || '(native)' : frameFile(node.callFrame.url, root);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
    // Walk to the root once, counting each function once even if it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const ancestor = byId.get(at);
      if (!ancestor) break;
      const ancestorLabel = frameLabel(ancestor, root);
      if (seen.has(ancestorLabel)) continue;
      seen.add(ancestorLabel);
      inclusive.set(ancestorLabel, (inclusive.get(ancestorLabel) ?? 0) + us);
    }
  }
  const busyUs = totalUs - idleUs;
  const rank = (map: Map<string, number>, skip: (label: string) => boolean) =>
    [...map.entries()]
      .filter(([label]) => !skip(label))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([label, us]) => ({ label, ms: us / 1000, pct: totalUs > 0 ? (us / totalUs) * 100 : 0, busyPct: busyUs > 0 ? (us / busyUs) * 100 : 0 }));
  const idle = (label: string) => label === '(idle)' || label === '(program)';
  return {
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    selfByFunction: rank(self, idle),
    inclusiveByFunction: rank(inclusive, (label) => idle(label) || label === '(root)'),
    selfByFile: rank(byFile, idle),
  };
}

export function renderProfileSummary(summary: ProfileSummary, title: string): string {
  const table = (heading: string, rows: readonly RankedCost[]) => [
    `**${heading}**`,
    '',
    '| # | function | ms | % of busy |',
    '| ---: | --- | ---: | ---: |',
    ...rows.map((row, index) => `| ${index + 1} | \`${row.label.replace(/\|/g, '\\|')}\` | ${row.ms.toFixed(0)} | ${row.busyPct.toFixed(1)}% |`),
    '',
  ];
  return [
    `### ${title}`,
    '',
    `Sampled ${(summary.totalMs / 1000).toFixed(1)} s, busy ${(summary.busyMs / 1000).toFixed(1)} s (idle ${(summary.idleMs / 1000).toFixed(1)} s).`,
    '',
    ...table('Self time by function', summary.selfByFunction),
    ...table('Self time by file or package', summary.selfByFile),
    ...table('Inclusive time by function (itself and what it calls)', summary.inclusiveByFunction),
  ].join('\n');
}
