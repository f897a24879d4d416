// Runs the real `tollgate` CLI in a child process (one node process running the sources the run
// compiled once, cli-build.ts, so signals reach the server itself as in production) and finds the
// port it listens on from its JSON log. Hermetic: the child gets a temporary working
// directory (a tollgate.yaml in the repository is not its config), an environment of only what a
// shell needs plus the test's variables (a developer's TOLLGATE_* settings do not leak in), and its
// own process group, which is killed whole at the end so no server outlives its test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

const SHELL_VARIABLES = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'TZ'];

export interface TollgateProcess {
  child: ChildProcess;
  url: string;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** What the child's environment holds: the shell's basics and the test's variables, nothing else. */
export function childEnvironment(env: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of SHELL_VARIABLES) if (process.env[name] !== undefined) base[name] = process.env[name]!;
  return { ...base, ...env };
}

/**
 * The CLI runs as one plain node process, never under the tsx command: that command is a second
 * process that relays a signal and settles the exit itself, so on a loaded machine a server
 * mid-drain was killed (Ctrl-C exited 130 instead of 0) or a second SIGTERM was swallowed (exit 0
 * instead of 143). One process gets its signals as a production `node dist/…` does.
 */
function spawnCli(args: string[], env: Record<string, string>): ChildProcess {
  const cwd = mkdtempSync(join(tmpdir(), 'tollgate-cwd-'));
  const child = spawn(process.execPath, [inject('cliEntry'), ...args], { cwd, env: childEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.on('exit', () => {
    killGroup(child, 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });
  return child;
}

/** The child leads its own group (detached): this reaches the server and anything it started. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is already gone
  }
}

export function runCli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function startTollgateProcess(env: Record<string, string>): Promise<TollgateProcess> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(['serve'], { TOLLGATE_PORT: '0', TOLLGATE_HOST: '127.0.0.1', ...env });
    let output = '';
    // 'close': the process has exited and its output has been read to the end (the last lines included).
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
      reject(new Error(`tollgate did not start in 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({
          child,
          url: match[1]!,
          output: () => output,
          // The signal goes to the server alone, once, as a terminal's Ctrl-C or an orchestrator's stop would.
          async stop(signal = 'SIGTERM') {
            if (child.exitCode === null) child.kill(signal);
            const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 15_000);
            const code = await exited;
            clearTimeout(killer);
            return code;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!/Server listening/.test(output)) reject(new Error(`tollgate exited with ${code}:\n${output}`));
    });
  });
}
