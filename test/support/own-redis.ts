// A throwaway redis-server of the test's own (never the shared one on 6379), for the suites that
// stop and restart Redis under load: a free loopback port, no persistence, its own process group,
// and a restart on the same port so clients configured with its URL reconnect to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from '../../bench/free-port.js';
import { killGroup, killGroupAtExit } from './process-group.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

/** Why the suites that need their own Redis skip here, or undefined when they can run. */
export function ownRedisMissing(): string | undefined {
  return existsSync(REDIS_SERVER) ? undefined : `${REDIS_SERVER} not found`;
}

export interface OwnRedis {
  url: string;
  port: number;
  running(): boolean;
  /** Kills the server at once (SIGKILL): what a crashed or unplugged Redis looks like to clients. */
  stop(): Promise<void>;
  /** Starts an empty server on the same port. */
  start(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const own: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async stop() {
      if (!child || !own.running()) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      killGroup(child, 'SIGKILL');
      await exited;
    },
    async start() {
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
      child = spawn(REDIS_SERVER, args, { stdio: 'ignore', detached: true });
      killGroupAtExit(child);
      if (!(await answersPing(port))) {
        await own.stop();
        throw new Error(`redis-server did not start on port ${port}`);
      }
    },
  };
  await own.start();
  return own;
}

async function answersPing(port: number): Promise<boolean> {
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined); // refused until the server is up: expected while polling
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        if (probe.status !== 'ready') await probe.connect();
        await probe.ping();
        return true;
      } catch {
        await sleep(100);
      }
    }
    return false;
  } finally {
    probe.disconnect();
  }
}
