// Readable (pretty) log lines written just before the process exits reach standard output: the last
// words of a stop ("stopped", "second signal: exiting now") are the lines a person at a terminal reads.
// A worker-thread transport (pino.transport) would drop them; the pretty stream must stay in-thread.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const logger = new URL('../../src/logger.ts', import.meta.url).href;
const tsxLoader = new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url).href;

describe('pretty logs at exit', () => {
  it('writes every line logged before process.exit, none left behind in a buffer', () => {
    const script = `
      const { createConsoleLogger } = await import(${JSON.stringify(logger)});
      const log = createConsoleLogger('info', 'pretty');
      for (let i = 1; i <= 1000; i++) log.info({ line: i }, 'line ' + i);
      log.warn('last words');
      process.exit(0);
    `;
    const result = spawnSync(process.execPath, ['--import', tsxLoader, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('INFO: line 1000');
    expect(result.stdout).toMatch(/WARN: last words\n$/);
  });
});
