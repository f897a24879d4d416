// The write-ahead log of the server's SQLite file is checkpointed by a thread of its own, never inside
// a commit of the server's thread (that cost ~5 ms of fsync every 0.7 s at one connection: the slowest
// percent of requests). Through the real driver of this runtime, on a real file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { connectDatabase, type DatabaseHandle } from '../../src/storage/connect.js';
import { startSqliteCheckpointer } from '../../src/storage/sqlite-checkpointer.js';
import { sqliteDriverFor } from '../../src/storage/sqlite-driver.js';

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-checkpoint-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function autocheckpointPages(handle: DatabaseHandle): Promise<number> {
  const { rows } = await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(handle.db);
  return Number(rows[0]!.wal_autocheckpoint);
}

/** About `pages` pages of 4 KB written to the log, in transactions of 100 rows. */
async function writePages(handle: DatabaseHandle, pages: number): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS filler (body BLOB)`.execute(handle.db);
  for (let written = 0; written < pages; written += 100) {
    await handle.db.transaction().execute(async (tx) => {
      for (let i = 0; i < 100; i++) await sql`INSERT INTO filler VALUES (randomblob(4000))`.execute(tx);
    });
  }
}

describe('the write-ahead log checkpointer', () => {
  it("copies the log into the database from its own thread, the server's commits only past a safety mark", async () => {
    const failures: Error[] = [];
    const handle = await connectDatabase({ dataDir: dataDir(), checkpointInBackground: { onFailure: (error) => failures.push(error) } });
    try {
      expect(await autocheckpointPages(handle)).toBe(10_000);
      const copied = handle.checkpointer!.nextCheckpoint();
      await writePages(handle, 2_000);
      // The server's connection did not checkpoint (its mark is 10,000 pages): the worker did.
      let report = await copied;
      while (report.checkpointed < 2_000) report = await handle.checkpointer!.nextCheckpoint();
      expect(report.checkpointed).toBeGreaterThanOrEqual(2_000);
      expect(failures).toEqual([]);
    } finally {
      await handle.close();
    }
  });

  it('stops with the database, and every row written is there when it is opened again', async () => {
    const dir = dataDir();
    const handle = await connectDatabase({ dataDir: dir, checkpointInBackground: { onFailure: () => undefined } });
    await writePages(handle, 300);
    await handle.close();
    const again = await connectDatabase({ dataDir: dir });
    try {
      const { rows } = await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(again.db);
      expect(Number(rows[0]!.n)).toBe(300);
      expect(again.checkpointer).toBeUndefined();
      expect(await autocheckpointPages(again)).toBe(1_000);
    } finally {
      await again.close();
    }
  });

  it('reports a worker that cannot open the database', async () => {
    const failed = new Promise<Error>((resolve) => {
      startSqliteCheckpointer({ file: join(dataDir(), 'missing', 'tollgate.db'), driver: sqliteDriverFor(), everyMs: 10, onFailure: resolve });
    });
    expect((await failed).message).toMatch(/unable to open|no such file|cannot open|directory does not exist/i);
  });
});
