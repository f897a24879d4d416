// Checkpoints an SQLite database's write-ahead log from a thread of its own. In WAL mode SQLite
// copies the log back into the database file once it holds 1,000 pages, by default inside the
// commit that crossed the mark: on the server's only thread, with an fsync of the log and one of the
// database (about 5 ms on the bench machine, every 0.7 s at one connection — the slowest percent of
// requests waited for it). Here a worker thread with a connection of its own runs a PASSIVE
// checkpoint every CHECKPOINT_EVERY_MS, which neither waits for the server's writes nor blocks them,
// and the server's connection checkpoints only past SAFETY_CHECKPOINT_PAGES: a log the worker could
// not keep short (a reader held it), or a worker that failed (the server's connection is then told
// to checkpoint at the default mark again, and the failure is reported).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqliteDriverName } from './sqlite-driver.js';

export const CHECKPOINT_EVERY_MS = 250;
/** The server connection's own checkpoint mark while the worker runs: far above what the worker lets gather. */
export const SAFETY_CHECKPOINT_PAGES = 10_000;
/** SQLite's default mark, restored on the server's connection if the worker fails. */
export const DEFAULT_CHECKPOINT_PAGES = 1_000;

/** What a checkpoint reported: pages in the log, and pages of it copied into the database file. */
export interface CheckpointReport {
  log: number;
  checkpointed: number;
}

export interface SqliteCheckpointer {
  /** Resolves with the next checkpoint that copied pages. */
  nextCheckpoint(): Promise<CheckpointReport>;
  /** Ends the worker (after the checkpoint under way, if any) and closes its connection. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  file: string;
  driver: SqliteDriverName;
  everyMs?: number;
  /** The worker failed: checkpoints are the server connection's again (restore its mark here). */
  onFailure(error: Error): void;
}

// CommonJS, run as the worker's code (eval): it needs only the driver, whose path it is given.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { file, driver, driverPath, everyMs } = workerData;
let checkpoint, close;
if (driver === 'node:sqlite') {
  const { DatabaseSync } = require('node:sqlite');
  const db = new DatabaseSync(file);
  const statement = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  checkpoint = () => statement.get();
  close = () => db.close();
} else {
  const Database = require(driverPath);
  const db = new Database(file, { fileMustExist: true });
  checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)')[0];
  close = () => db.close();
}
let last = '';
const timer = setInterval(() => {
  const { log, checkpointed } = checkpoint();
  const seen = log + '/' + checkpointed;
  if (checkpointed > 0 && seen !== last) parentPort.postMessage({ log: Number(log), checkpointed: Number(checkpointed) });
  last = seen;
}, everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  close();
  parentPort.close();
});
`;

export function startSqliteCheckpointer(options: CheckpointerOptions): SqliteCheckpointer {
  const driverPath = options.driver === 'better-sqlite3' ? createRequire(import.meta.url).resolve('better-sqlite3') : null;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { file: options.file, driver: options.driver, driverPath, everyMs: options.everyMs ?? CHECKPOINT_EVERY_MS },
  });
  // Never what keeps the process alive: the server's own shutdown stops it.
  worker.unref();
  const waiting: ((report: CheckpointReport) => void)[] = [];
  worker.on('message', (report: CheckpointReport) => {
    for (const resolve of waiting.splice(0)) resolve(report);
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => {
    if (!stopping) options.onFailure(error);
  });
  return {
    nextCheckpoint: () => new Promise((resolve) => waiting.push(resolve)),
    async stop() {
      stopping = true;
      // Waited for: a shutdown with nothing else left to do must not end the process before the worker.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
