// The "Key lookups at scale" section of the report: verification throughput and cost per database,
// table size and cache state, with the seeding time of each table.
import type { KeyScaleCase, KeyScaleReport } from '../bench-result.js';

const whole = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : Math.round(value).toLocaleString('en-US'));
const micro = (value: number | undefined) => (value === undefined || Number.isNaN(value) ? '—' : value.toFixed(1));
const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

export function renderKeyScale(keyScale: KeyScaleReport): string[] {
  const lines = ['**Key lookups at scale** (verifications per second and µs per verification; medians)', '', keyScale.method, ''];
  const header = ['database', 'keys in table', 'seeded in s',
    'warm /s @1', 'warm µs mean @1', 'warm µs p99 @1', 'warm /s @16',
    'miss /s @1', 'miss µs mean @1', 'miss µs p99 @1', 'miss /s @16', 'other CPU'];
  lines.push(row(header), row(header.map((_, i) => (i === 0 ? '---' : '---:'))));
  for (const seeding of keyScale.seeding) {
    const find = (cache: 'warm' | 'miss', concurrency: number): KeyScaleCase | undefined =>
      keyScale.cases.find((c) => c.database === seeding.database && c.keys === seeding.keys && c.cache === cache && c.concurrency === concurrency);
    const warm1 = find('warm', 1);
    const miss1 = find('miss', 1);
    const others = keyScale.cases
      .filter((c) => c.database === seeding.database && c.keys === seeding.keys)
      .map((c) => c.median.otherCpuPct)
      .filter((value): value is number => value !== undefined);
    lines.push(row([
      seeding.database,
      seeding.keys.toLocaleString('en-US'),
      seeding.seconds.toFixed(1),
      whole(warm1?.median.perS), micro(warm1?.median.meanUs), micro(warm1?.median.p99Us), whole(find('warm', 16)?.median.perS),
      whole(miss1?.median.perS), micro(miss1?.median.meanUs), micro(miss1?.median.p99Us), whole(find('miss', 16)?.median.perS),
      others.length > 0 ? `${Math.round(Math.max(...others))}%` : '—',
    ]));
  }
  const databases = [...new Set(keyScale.seeding.map((s) => `${s.database}: ${s.description}`))];
  lines.push('', `Databases: ${databases.join('; ')}. "other CPU" is the largest median share of a CPU used by anything but the harness during these runs (for PostgreSQL it includes the server itself).`);
  for (const line of keyScale.skipped) lines.push('', `- ${line}`);
  if (keyScale.error) lines.push('', `- key lookups failed part-way: ${keyScale.error}`);
  return lines;
}
