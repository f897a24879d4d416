// A throwaway PostgreSQL of the test's own (never the shared server on 5432), for the suites that
// stop it under load: initdb into a temporary directory, a free loopback port, no fsync, and a
// restart on the same data directory and port so pools configured with its URL find it again.
// initdb and postgres refuse to run as root, so as root they run as the `postgres` user (setpriv,
// which execs in place: the child we hold is the postmaster itself) in a directory it owns.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../../bench/free-port.js';
import { killGroup, killGroupAtExit } from './process-group.js';

const BIN = '/usr/local/bin';
const SETPRIV = '/usr/bin/setpriv';

/** Why the suites that need their own PostgreSQL skip here, or undefined when they can run. */
export function ownPostgresMissing(): string | undefined {
  for (const program of [`${BIN}/initdb`, `${BIN}/postgres`]) if (!existsSync(program)) return `${program} not found`;
  if (isRoot() && (!existsSync(SETPRIV) || postgresUser() === undefined)) return 'running as root without setpriv and a `postgres` user';
  return undefined;
}

export interface OwnPostgres {
  url: string;
  running(): boolean;
  /** Stops the server: 'fast' disconnects clients and shuts down cleanly, 'kill' is a crash (SIGKILL). */
  stop(mode?: 'fast' | 'kill'): Promise<void>;
  /** Starts it again on the same data and port (after a crash, PostgreSQL recovers first). */
  start(): Promise<void>;
  /** Stops it and removes its files. */
  remove(): Promise<void>;
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/** argv that runs `program` as the postgres user when we are root, as ourselves otherwise. */
function asPostgres(program: string, args: string[]): [string, string[]] {
  if (!isRoot()) return [program, args];
  return [SETPRIV, ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', program, ...args]];
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-own-pg-'));
  // Its files go with the test process even when remove() is never reached (its server: killGroupAtExit).
  const removeFiles = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeFiles);
  const data = join(dir, 'data');
  const user = isRoot() ? postgresUser() : undefined;
  if (user) chownSync(dir, user.uid, user.gid);
  const [initdb, initArgs] = asPostgres(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  execFileSync(initdb, initArgs, { stdio: 'ignore', cwd: dir });
  const port = await freePort();
  let child: ChildProcess | undefined;
  let log = '';

  const own: OwnPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    running: () => child !== undefined && child.exitCode === null && child.signalCode === null,
    async stop(mode = 'fast') {
      if (!child || !own.running()) return;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      // SIGINT to the postmaster is PostgreSQL's fast shutdown; SIGKILL to the group takes its backends too.
      if (mode === 'fast') child.kill('SIGINT');
      else killGroup(child, 'SIGKILL');
      const killer = setTimeout(() => killGroup(child!, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
      if (mode === 'kill') await sleep(100); // the backends of the group exit with the postmaster
    },
    async start() {
      log = '';
      const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${dir}`, '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50'];
      const [program, args] = asPostgres(`${BIN}/postgres`, ['-D', data, '-p', String(port), ...settings]);
      child = spawn(program, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      killGroupAtExit(child);
      child.stdout!.on('data', (chunk) => (log += chunk));
      child.stderr!.on('data', (chunk) => (log += chunk));
      if (!(await acceptsConnections(own.url, () => own.running()))) {
        await own.stop('kill');
        throw new Error(`postgres did not start on port ${port}:\n${log}`);
      }
    },
    async remove() {
      await own.stop('kill');
      removeFiles();
      process.removeListener('exit', removeFiles);
    },
  };
  await own.start();
  return own;
}

async function acceptsConnections(url: string, alive: () => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 100 && alive(); attempt++) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      await sleep(100);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return false;
}
