// The per-file timing report printed after every run (CI included): the slowest test files with
// their durations, and a mark on every file over the slow threshold, so a file that starts to
// drag the suite shows up in the log of the run that made it slow. It reports; it never fails a run.
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

export interface FileTiming {
  /** The file, relative to the repository root. */
  file: string;
  /** The Vitest project (lane) it ran in. */
  project: string;
  /** Wall time in its worker: harness set-up, imports, then every test and hook. */
  ms: number;
}

export interface SlowFilesOptions {
  /** How many of the slowest files to list. */
  top?: number;
  /** Files at or over this many milliseconds are marked SLOW (and listed even past `top`). */
  slowMs?: number;
}

const DEFAULTS = { top: 5, slowMs: 10_000 } satisfies Required<SlowFilesOptions>;

/** The report's lines: the slowest files first, then how many files ran over the threshold. */
export function formatSlowFiles(timings: readonly FileTiming[], options: SlowFilesOptions = {}): string[] {
  const { top, slowMs } = { ...DEFAULTS, ...options };
  if (timings.length === 0) return [];
  const sorted = [...timings].sort((a, b) => b.ms - a.ms);
  const slow = sorted.filter((t) => t.ms >= slowMs);
  const shown = sorted.slice(0, Math.max(top, slow.length));
  const width = Math.max(...shown.map((t) => seconds(t.ms).length));
  const lines = [`Slowest test files (of ${timings.length}; SLOW = ${seconds(slowMs)} or more):`];
  for (const t of shown) {
    lines.push(`  ${seconds(t.ms).padStart(width)}  ${t.ms >= slowMs ? 'SLOW' : '    '}  ${t.file} [${t.project}]`);
  }
  lines.push(slow.length === 0 ? 'No slow test files.' : `${slow.length} slow test file${slow.length === 1 ? '' : 's'}: split them or move what does not need a server to the unit lane.`);
  return lines;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Vitest reporter around formatSlowFiles; options: `top`, `slowMs` (env TOLLGATE_SLOW_FILE_MS overrides). */
export default class SlowFilesReporter implements Reporter {
  private root = process.cwd();
  constructor(private readonly options: SlowFilesOptions = {}) {}

  onInit(vitest: { config: { root: string } }): void {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const timings = testModules.map((module) => timingOf(module, this.root));
    const fromEnv = Number(process.env.TOLLGATE_SLOW_FILE_MS);
    const slowMs = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : this.options.slowMs;
    const lines = formatSlowFiles(timings, { ...this.options, ...(slowMs === undefined ? {} : { slowMs }) });
    if (lines.length > 0) process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}

function timingOf(module: TestModule, root: string): FileTiming {
  const d = module.diagnostic();
  return {
    file: relative(root, module.moduleId),
    project: module.project.name || 'default',
    ms: Math.round(d.prepareDuration + d.environmentSetupDuration + d.setupDuration + d.collectDuration + d.duration),
  };
}
