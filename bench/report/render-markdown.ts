// The Markdown report: how the run was made, then medians per target, CPU use, overhead over direct
// with ratios to the floors, and the goals. Used for latest.md and BENCHMARKS.md.
import type { BenchReport, MedianFigures, TargetResult } from '../bench-result.js';
import { renderKeyScale } from './render-key-scale.js';
import { renderListingScale } from './render-listing-scale.js';

const missing = (value: number | undefined): value is undefined => value === undefined || Number.isNaN(value);
const ms = (value: number | undefined) => (missing(value) ? '—' : value.toFixed(3));
const signedMs = (value: number | undefined) => (missing(value) ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`);
const whole = (value: number | undefined) => (missing(value) ? '—' : Math.round(value).toLocaleString('en-US'));
const percent = (value: number | undefined) => (missing(value) ? '—' : `${(value * 100).toFixed(0)}%`);
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
const header = (cells: readonly string[]) => [row(cells), row(cells.map((_, i) => (i === 0 ? '---' : '---:')))];
const THROUGHPUT_IDS = ['c1', 'c16', 'c64'];

export function renderMarkdown(report: BenchReport): string {
  const lines = [
    describeRun(report),
    '',
    '**Throughput and latency** (medians; latency in ms)',
    '',
    ...figuresTable(report),
    '',
    '**CPU** (target: share of its CPU and CPU time per request; load side: load generator + mock upstreams on the other CPU — near 100% means the run measured the load generator, not the target; other: anything else on the machine — large values mean disturbed figures)',
    '',
    ...cpuTable(report),
    '',
    '**Overhead** (latency added over direct in ms; throughput as a share of each floor, measured req/s and capacity from CPU time per request, at c1 / c16 / c64)',
    '',
    ...overheadTable(report),
  ];
  if (report.keyScale) lines.push('', ...renderKeyScale(report.keyScale));
  if (report.listingScale) lines.push('', ...renderListingScale(report.listingScale));
  if (report.goals.length > 0) {
    lines.push('', '**Goals**', '', row(['target', 'goal', 'measured', 'met']), row(['---', '---', '---:', ':---:']));
    for (const goal of report.goals) {
      lines.push(row([goal.name, goal.goal, goal.value, goal.met === undefined ? '—' : goal.met ? 'yes' : 'no']));
    }
  }
  const notes = [
    ...report.skipped.map((skip) => `- ${skip.name} skipped: ${skip.reason}`),
    ...report.targets.filter((t) => t.error).map((t) => `- ${t.name} failed part-way: ${t.error}`),
  ];
  if (notes.length > 0) lines.push('', ...notes);
  return `${lines.join('\n')}\n`;
}

// Above this share of a CPU used by other programs during a load run, the run is flagged as disturbed.
const DISTURBED_OTHER_CPU_PCT = 20;

function describeRun({ meta, targets }: BenchReport): string {
  const labels = targets[0]?.scenarios.map((scenario) => `\`${scenario.id}\` = ${scenario.label}`) ?? [];
  const others = targets.flatMap((t) => t.scenarios.flatMap((s) => s.runs.map((run) => run.otherCpuPct ?? 0)));
  const worstOther = Math.max(0, ...others);
  const warning = worstOther > DISTURBED_OTHER_CPU_PCT
    ? `\n\n⚠ **Disturbed run**: other programs used up to ${Math.round(worstOther)}% of a CPU during load runs ` +
      '(see "other CPU" below); re-run on a quiet machine before trusting these figures.'
    : '';
  return (
    `Run of ${meta.date}${meta.quick ? ' (quick mode: figures are indicative only)' : ''}: node ${meta.node}, ` +
    `${meta.cpus} × ${meta.cpuModel}, Linux ${meta.kernel}${meta.nginxVersion ? `, ${meta.nginxVersion}` : ''}; ` +
    `${meta.pinning}. Each load run ${meta.durationS} s after a ${meta.warmupS} s warm-up, medians of ${meta.repeats} ` +
    `run(s); TTFB over ${meta.ttfbRequests} sequential streams (${meta.sseChunks} chunks, ${meta.sseChunkIntervalMs} ms ` +
    `apart). Whole run ${Math.round(meta.elapsedS)} s.${warning}\n\nScenarios: ${labels.join('; ')}.`
  );
}

function medianOf(target: TargetResult, id: string): MedianFigures | undefined {
  return target.scenarios.find((scenario) => scenario.id === id)?.median;
}

function figuresTable(report: BenchReport): string[] {
  const ids = report.targets[0]?.scenarios.map((scenario) => scenario.id) ?? [];
  return [
    ...header(['target', ...ids.flatMap((id) => [`${id} req/s`, `${id} p50`, `${id} p99`]), 'TTFB p50', 'TTFB p99', 'peak RSS MB']),
    ...report.targets.map((target) =>
      row([
        target.error ? `${target.name} ⚠` : target.name,
        ...ids.flatMap((id) => {
          const median = medianOf(target, id);
          return [whole(median?.reqPerS), ms(median?.p50Ms), ms(median?.p99Ms)];
        }),
        ms(target.ttfb?.p50Ms),
        ms(target.ttfb?.p99Ms),
        missing(target.peakRssMb) ? '—' : target.peakRssMb.toFixed(1),
      ]),
    ),
  ];
}

function cpuTable(report: BenchReport): string[] {
  const across = (target: TargetResult, pick: (m: MedianFigures | undefined) => string) =>
    THROUGHPUT_IDS.map((id) => pick(medianOf(target, id))).join(' / ');
  return [
    ...header(['target', 'target CPU c1/c16/c64', 'target µs/req c1/c16/c64', 'load side CPU c1/c16/c64', 'other CPU c1/c16/c64']),
    ...report.targets.map((target) =>
      row([
        target.name,
        across(target, (m) => (missing(m?.targetCpuPct) ? '—' : `${Math.round(m.targetCpuPct)}%`)),
        across(target, (m) => whole(m?.targetCpuUsPerReq)),
        across(target, (m) => (missing(m?.loadCpuPct) ? '—' : `${Math.round(m.loadCpuPct)}%`)),
        across(target, (m) => (missing(m?.otherCpuPct) ? '—' : `${Math.round(m.otherCpuPct)}%`)),
      ]),
    ),
  ];
}

function overheadTable(report: BenchReport): string[] {
  const ratios = (values: Record<string, number>) => THROUGHPUT_IDS.map((id) => percent(values[id])).join(' / ');
  return [
    ...header(['target', 'added p50 @1', 'added p99 @1', 'added p50 @64', 'added p99 @64', 'added p50 @rate', 'TTFB added',
      '÷ node-floor req/s', '÷ node-floor capacity', '÷ nginx req/s', '÷ nginx capacity']),
    ...report.comparisons.map((c) =>
      row([
        c.name,
        signedMs(c.added.c1?.p50Ms),
        signedMs(c.added.c1?.p99Ms),
        signedMs(c.added.c64?.p50Ms),
        signedMs(c.added.c64?.p99Ms),
        signedMs(c.added.rate?.p50Ms),
        signedMs(c.addedTtfbMs),
        ratios(c.vsNodeFloor),
        ratios(c.capacityVsNodeFloor),
        ratios(c.vsNginx),
        ratios(c.capacityVsNginx),
      ]),
    ),
  ];
}
