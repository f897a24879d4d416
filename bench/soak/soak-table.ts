// The soak's figures as a markdown table, and their place in BENCHMARKS.md (between the soak
// markers, replaced by each run): one row per minute, both nodes' values side by side (a/b).
import { readFileSync, writeFileSync } from 'node:fs';

export interface SoakMinute {
  minute: number;
  requests: number;
  failed: number;
  /** Per node, in node order. */
  p99Ms: number[];
  rssMb: number[];
  descriptors: number[];
  /** The machine's 1-minute load average at the sample: a soak on a shared machine reads against it. */
  loadAverage: number;
}

export interface SoakSetting {
  rate: number;
  minutes: number;
  storage: string;
  plan: string;
}

const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';

const pair = (values: number[], digits: number) => values.map((v) => v.toFixed(digits)).join(' / ');

/** Growth from the first to the last minute, the figure a reader looks for first. */
function drift(rows: SoakMinute[], pick: (row: SoakMinute) => number[]): string {
  const first = rows[0];
  const last = rows.at(-1);
  if (!first || !last) return 'n/a';
  return pick(last)
    .map((value, node) => {
      const change = value - pick(first)[node]!;
      return `${change >= 0 ? '+' : ''}${change.toFixed(1)}`;
    })
    .join(' / ');
}

export function renderSoakTable(rows: SoakMinute[], setting: SoakSetting): string {
  const lines = [
    `Soak of ${setting.minutes} min at ${setting.rate} req/s (priced calls, split over nodes a / b), ${setting.storage}; ${setting.plan}; ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `| minute | answered (target ${setting.rate * 60}) | failed | p99 ms (a / b) | RSS MB (a / b) | open fds (a / b) | load avg |`,
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.minute} | ${r.requests} | ${r.failed} | ${pair(r.p99Ms, 1)} | ${pair(r.rssMb, 0)} | ${r.descriptors.join(' / ')} | ${r.loadAverage.toFixed(1)} |`),
    '',
    `First to last minute: RSS ${drift(rows, (r) => r.rssMb)} MB, p99 ${drift(rows, (r) => r.p99Ms)} ms, open fds ${drift(rows, (r) => r.descriptors)}.`,
  ];
  return lines.join('\n');
}

/** Replaces the soak section of BENCHMARKS.md; false when the file or its markers are missing. */
export function writeSoakTable(path: string, table: string): boolean {
  let doc: string;
  try {
    doc = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) return false;
  writeFileSync(path, `${doc.slice(0, start)}${START}\n\n${table}\n\n${doc.slice(end)}`);
  return true;
}
