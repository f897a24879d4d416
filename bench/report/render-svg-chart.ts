// A dependency-free SVG chart of a run: requests per second per scenario, and latency added over
// direct, as grouped bars with one colour per target. Values are printed on the bars, so the chart
// can be read without the table.
import type { BenchReport } from '../bench-result.js';

const COLORS = ['#8c8c8c', '#3c78d8', '#e69138', '#6aa84f', '#a64d79', '#cc4125'];
const WIDTH = 1000;
const HEIGHT = 440;

interface Series {
  name: string;
  color: string;
}

interface Panel {
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  groups: readonly string[];
  series: readonly Series[];
  value(group: string, series: Series): number | undefined;
  format(value: number): string;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderSvgChart(report: BenchReport): string {
  const series = report.targets.map((target, index) => ({ name: target.name, color: COLORS[index % COLORS.length] ?? '#000' }));
  const throughputIds = (report.targets[0]?.scenarios ?? []).filter((s) => s.overallRate === undefined).map((s) => s.id);
  const overhead: Record<string, (name: string) => number | undefined> = {
    'p50 @1': (name) => comparison(report, name)?.added.c1?.p50Ms,
    'p99 @1': (name) => comparison(report, name)?.added.c1?.p99Ms,
    'p50 @64': (name) => comparison(report, name)?.added.c64?.p50Ms,
    'TTFB p50': (name) => comparison(report, name)?.addedTtfbMs,
  };
  const panelWidth = (WIDTH - 60) / 2;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="20" y="24" font-size="15" font-weight="bold">Tollgate benchmark — ${escapeXml(report.meta.date)}${report.meta.quick ? ' (quick mode)' : ''}</text>`,
    ...series.map((s, i) => `<rect x="${20 + i * 140}" y="36" width="12" height="12" fill="${s.color}"/>` +
      `<text x="${36 + i * 140}" y="46">${escapeXml(s.name)}</text>`),
    barPanel({
      x: 20, y: 70, width: panelWidth, height: HEIGHT - 100,
      title: 'Requests per second (median, higher is better)',
      groups: throughputIds,
      series,
      value: (id, s) => report.targets.find((t) => t.name === s.name)?.scenarios.find((sc) => sc.id === id)?.median.reqPerS,
      format: (v) => Math.round(v).toLocaleString('en-US'),
    }),
    barPanel({
      x: 40 + panelWidth, y: 70, width: panelWidth, height: HEIGHT - 100,
      title: 'Latency added over direct, ms (median, lower is better)',
      groups: Object.keys(overhead),
      series: series.filter((s) => s.name !== 'direct'),
      value: (group, s) => overhead[group]?.(s.name),
      format: (v) => v.toFixed(2),
    }),
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}

function comparison(report: BenchReport, name: string) {
  return report.comparisons.find((c) => c.name === name);
}

function barPanel(panel: Panel): string {
  const { x, y, width, height, groups, series } = panel;
  const plotTop = y + 24;
  const plotHeight = height - 50;
  const baseline = plotTop + plotHeight;
  const values = groups.flatMap((g) => series.map((s) => panel.value(g, s) ?? 0)).filter(Number.isFinite);
  const max = Math.max(...values, 1e-9);
  const groupWidth = width / Math.max(groups.length, 1);
  const barWidth = Math.min(40, (groupWidth - 16) / Math.max(series.length, 1));
  const out = [
    `<text x="${x}" y="${y + 12}" font-size="13" font-weight="bold">${escapeXml(panel.title)}</text>`,
    `<line x1="${x}" y1="${baseline}" x2="${x + width}" y2="${baseline}" stroke="#444"/>`,
  ];
  groups.forEach((group, gi) => {
    const groupX = x + gi * groupWidth + (groupWidth - barWidth * series.length) / 2;
    series.forEach((s, si) => {
      const value = panel.value(group, s);
      if (value === undefined || !Number.isFinite(value)) return;
      // Negative overheads are measurement noise; they are labelled but drawn as zero-height bars.
      const barHeight = (Math.max(value, 0) / max) * (plotHeight - 14);
      const barX = groupX + si * barWidth;
      out.push(
        `<rect x="${barX.toFixed(1)}" y="${(baseline - barHeight).toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${s.color}"/>`,
        `<text x="${(barX + barWidth / 2).toFixed(1)}" y="${(baseline - barHeight - 3).toFixed(1)}" text-anchor="middle" font-size="9">${escapeXml(panel.format(value))}</text>`,
      );
    });
    out.push(`<text x="${(x + gi * groupWidth + groupWidth / 2).toFixed(1)}" y="${baseline + 16}" text-anchor="middle">${escapeXml(group)}</text>`);
  });
  return out.join('\n');
}
