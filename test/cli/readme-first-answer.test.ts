// The README's "Your first streamed answer", replayed with bash as a new user would type it: the same
// config file, curl and jq commands, in order. Only two addresses differ — the model server is this
// test's mock instead of Ollama on 11434, and Tollgate listens on a free port instead of 8080 — and
// the server is the real `tollgate serve` from source instead of `npm start` (which builds first).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAI, type MockOpenAI } from '../support/mock-openai.js';
import { startTollgateProcess, type TollgateProcess } from '../support/spawn-tollgate.js';

const MARKER = '<!-- replayed literally by test/cli/readme-first-answer.test.ts';
const tools = ['bash', 'curl', 'jq'].filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);

/** The README block after the marker, split at `npm start &` into what runs before and after it. */
function readmeScript(): { before: string; after: string } {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(MARKER)))![1]!;
  const [before, after] = block.split(/^npm start &.*$/m);
  return { before: before!, after: after! };
}

/** Async, so the mock model server in this process keeps answering while curl waits on it. */
function bash(script: string, cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['--norc', '--noprofile', '-euo', 'pipefail', '-c', script], { cwd, env: { PATH: process.env.PATH ?? '' }, detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
    child.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe.skipIf(tools.length > 0)(`the README's first streamed answer${tools.length ? ` (skipped: ${tools.join(', ')} not installed)` : ''}`, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tollgate-readme-'));
  let mock: MockOpenAI;
  let server: TollgateProcess | undefined;

  beforeAll(async () => {
    mock = await startMockOpenAI();
  });
  afterAll(async () => {
    await server?.stop();
    await mock.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  it('streams an answer through a new key with the commands it shows', async () => {
    const { before, after } = readmeScript();
    expect(before).toContain('http://127.0.0.1:11434/v1');
    expect((await bash(before.replace('http://127.0.0.1:11434/v1', mock.url), cwd)).status).toBe(0);

    server = await startTollgateProcess({ TOLLGATE_CONFIG: join(cwd, 'tollgate.yaml'), TOLLGATE_DATA_DIR: join(cwd, '.tollgate') });
    expect(after).toContain('B=http://127.0.0.1:8080');
    const run = await bash(after.replace('B=http://127.0.0.1:8080', `B=${server.url}`), cwd);

    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^data: \{.*"delta":\{[^}]*"content":"/m);
    expect(run.stdout.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const forwarded = mock.requests.find((r) => r.path === '/v1/chat/completions');
    expect(forwarded?.body).toMatchObject({ model: 'llama3.2', stream: true });
  });
});
