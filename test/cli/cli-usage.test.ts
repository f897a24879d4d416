// The command line tells a person what it is and what it does not know, instead of feeding an
// unknown word to `serve`.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from '../support/spawn-tollgate.js';

const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the tollgate command', () => {
  it('prints its version with --version', async () => {
    const result = await runCli(['--version'], {});
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('says an unknown subcommand is unknown and lists the commands', async () => {
    const result = await runCli(['srve'], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'srve'");
    expect(result.stderr).toMatch(/serve.*migrate.*operator/);
  });
});
