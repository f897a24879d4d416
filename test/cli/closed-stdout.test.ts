// `npm start | tee log`, then Ctrl-C: the pipe's reader is gone before the server's goodbye lines
// are written. The server must still stop and exit, not hang on (or die of) a broken stdout.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTollgateProcess } from '../support/spawn-tollgate.js';

describe('tollgate serve with its stdout closed', () => {
  it('exits cleanly on Ctrl-C after the reader of its stdout went away', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-epipe-'));
    try {
      const server = await startTollgateProcess({ TOLLGATE_DATA_DIR: dataDir });
      server.child.stdout?.destroy();
      const code = await server.stop('SIGINT');
      expect(code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
