// What a person sees when the server starts: one line saying where it is (its console and docs too) and what it serves, in
// JSON for machines and as a readable line with TOLLGATE_LOG_FORMAT=pretty (a terminal's default).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTollgateProcess } from '../support/spawn-tollgate.js';

describe('the start-up banner', () => {
  it('says where the server is, its docs, storage and what its config declares, in JSON and readable form', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-banner-'));
    try {
      const json = await startTollgateProcess({ TOLLGATE_DATA_DIR: dataDir });
      await json.stop();
      const banner = json.output().split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((line) => /is ready at/.test(line.msg));
      expect(banner).toMatchObject({ url: json.url, console: `${json.url}/console`, docs: `${json.url}/docs`, storage: `sqlite in ${dataDir}`, config_file: null, providers: 0, aliases: 0, routes: 0 });

      const pretty = await startTollgateProcess({ TOLLGATE_DATA_DIR: dataDir, TOLLGATE_LOG_FORMAT: 'pretty' });
      await pretty.stop();
      const line = pretty.output().split('\n').find((l) => l.includes('is ready at'));
      expect(line).toMatch(/^\[\d\d:\d\d:\d\d(\.\d{3})?\] INFO: Tollgate is ready at http:\/\/127\.0\.0\.1:\d+ \(console: http:\/\/127\.0\.0\.1:\d+\/console, API reference: http:\/\/127\.0\.0\.1:\d+\/docs\)$/);
      expect(() => JSON.parse(line!)).toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
