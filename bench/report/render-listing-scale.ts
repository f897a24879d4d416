// The "Listings at scale" section of the benchmark report: what was seeded, and p50/p95 per read.
import type { ListingScaleReport } from '../bench-result.js';

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

export function renderListingScale(listing: ListingScaleReport): string[] {
  const lines = ['**Listings at scale** (issue 12: goal p95 < 200 ms)', '', listing.method];
  if (listing.seeding) {
    const s = listing.seeding;
    lines.push('', `Seeded on ${s.description ?? 'PostgreSQL'}: ${s.keys.toLocaleString('en-US')} keys, ${s.usageRecords.toLocaleString('en-US')} usage records, ${s.rollupRows.toLocaleString('en-US')} rollup rows, in ${s.seconds.toFixed(0)} s.`);
  }
  if (listing.cases.length > 0) {
    lines.push('', row(['read', 'request', 'rows', 'requests', 'p50 ms', 'p95 ms']), row(['---', '---', '---:', '---:', '---:', '---:']));
    for (const c of listing.cases) lines.push(row([c.name, `\`GET ${c.path}\``, String(c.rows), String(c.requests), c.p50Ms.toFixed(1), c.p95Ms.toFixed(1)]));
  }
  for (const skip of listing.skipped) lines.push('', `- ${skip}`);
  if (listing.error) lines.push('', `- failed part-way: ${listing.error}`);
  return lines;
}
