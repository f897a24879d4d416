// The Markdown report: how the run was made, then medians per target, overhead over direct with
// ratios to the floors, and the issue's goals. Used for latest.md and BENCHMARKS.md.
import type { BenchReport, ScenarioResult, TargetResult } from '../bench-result.js';

const ms = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(3));
const signedMs = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '—' : `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(3)}`;
const rate = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : Math.round(value).toLocaleString('en-US'));
const ratio = (value: number | undefined) => (value === undefined ? '—' : `${(value * 100).toFixed(1)}%`);
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

export function renderMarkdown(report: BenchReport): string {
  const { meta } = report;
  const ids = report.targets[0]?.scenarios.map((scenario) => scenario.id) ?? [];
  const scenarioOf = (target: TargetResult, id: string): ScenarioResult | undefined =>
    target.scenarios.find((scenario) => scenario.id === id);
  const labels = report.targets[0]?.scenarios.map((scenario) => `\`${scenario.id}\` = ${scenario.label}`) ?? [];
  const lines = [
    `Run of ${meta.date}${meta.quick ? ' (quick mode: figures are indicative only)' : ''}: node ${meta.node}, ` +
      `${meta.cpus} × ${meta.cpuModel}, Linux ${meta.kernel}${meta.nginxVersion ? `, ${meta.nginxVersion}` : ''}; ` +
      `${meta.pinning}. Each load run ${meta.durationS} s after a ${meta.warmupS} s warm-up, medians of ${meta.repeats} ` +
      `run(s); TTFB over ${meta.ttfbRequests} sequential streams (${meta.sseChunks} chunks, ${meta.sseChunkIntervalMs} ms apart). ` +
      `Whole run ${Math.round(meta.elapsedS)} s.`,
    '',
    `Scenarios: ${labels.join('; ')}.`,
    '',
    '**Throughput and latency** (medians; latency in ms)',
    '',
    row(['target', ...ids.flatMap((id) => [`${id} req/s`, `${id} p50`, `${id} p99`]), 'TTFB p50', 'peak RSS MB']),
    row(['---', ...ids.flatMap(() => ['---:', '---:', '---:']), '---:', '---:']),
    ...report.targets.map((target) =>
      row([
        target.error ? `${target.name} ⚠` : target.name,
        ...ids.flatMap((id) => {
          const median = scenarioOf(target, id)?.median;
          return [rate(median?.reqPerS), ms(median?.p50Ms), ms(median?.p99Ms)];
        }),
        ms(target.ttfb?.p50Ms),
        target.peakRssMb === undefined ? '—' : target.peakRssMb.toFixed(1),
      ]),
    ),
    '',
    '**Overhead** (latency added over direct in ms; req/s as a share of each floor)',
    '',
    row(['target', 'added p50 @1', 'added p99 @1', 'added p50 @64', 'added p99 @64', 'added p50 @rate', 'TTFB added',
      '÷ node-floor c1/c16/c64', '÷ nginx c1/c16/c64']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...report.comparisons.map((c) =>
      row([
        c.name,
        signedMs(c.added.c1?.p50Ms),
        signedMs(c.added.c1?.p99Ms),
        signedMs(c.added.c64?.p50Ms),
        signedMs(c.added.c64?.p99Ms),
        signedMs(c.added.rate?.p50Ms),
        signedMs(c.addedTtfbMs),
        ['c1', 'c16', 'c64'].map((id) => ratio(c.vsNodeFloor[id])).join(' / '),
        ['c1', 'c16', 'c64'].map((id) => ratio(c.vsNginx[id])).join(' / '),
      ]),
    ),
  ];
  if (report.goals.length > 0) {
    lines.push('', '**Goals of issue #6**', '', row(['target', 'goal', 'measured', 'met']), row(['---', '---', '---:', ':---:']));
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
