// Writes a run to bench/results/ (latest.json, latest.md, latest.svg) and, for full runs only,
// replaces the "Latest figures" section of BENCHMARKS.md between its two marker comments. Quick runs
// write quick.{json,md,svg} instead, so checking the harness never overwrites published figures.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchConfig } from '../bench-config.js';
import type { BenchReport } from '../bench-result.js';
import { renderMarkdown } from './render-markdown.js';
import { renderSvgChart } from './render-svg-chart.js';

export const FIGURES_START = '<!-- latest-figures:start -->';
export const FIGURES_END = '<!-- latest-figures:end -->';

export interface WrittenResults {
  markdown: string;
  files: string[];
  benchmarksDocUpdated: boolean;
}

export function writeResults(report: BenchReport, config: BenchConfig): WrittenResults {
  mkdirSync(config.resultsDir, { recursive: true });
  const markdown = renderMarkdown(report);
  const stem = config.quick ? 'quick' : 'latest';
  const jsonPath = join(config.resultsDir, `${stem}.json`);
  const markdownPath = join(config.resultsDir, `${stem}.md`);
  const svgPath = join(config.resultsDir, `${stem}.svg`);
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdownPath, `# Tollgate benchmark — ${stem} run\n\n${markdown}\n![chart](${stem}.svg)\n`);
  writeFileSync(svgPath, renderSvgChart(report));
  // Quick runs prove the harness works; their figures are too noisy to publish.
  const benchmarksDocUpdated = !config.quick && replaceFigures(config.benchmarksDoc, markdown);
  return { markdown, files: [jsonPath, markdownPath, svgPath], benchmarksDocUpdated };
}

function replaceFigures(path: string, markdown: string): boolean {
  let doc: string;
  try {
    doc = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  const start = doc.indexOf(FIGURES_START);
  const end = doc.indexOf(FIGURES_END);
  if (start < 0 || end < start) return false;
  const section = `${FIGURES_START}\n\n${markdown}\n![chart](bench/results/latest.svg)\n\n`;
  writeFileSync(path, doc.slice(0, start) + section + doc.slice(end));
  return true;
}
