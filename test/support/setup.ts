// Runs in every test file: after the file, no key, token or password it was handed may appear in
// anything its servers logged.
import { afterAll, expect } from 'vitest';
import { capturedLogs, leakedSecrets } from './log-capture.js';

afterAll(() => {
  expect(leakedSecrets(), `secrets found in ${capturedLogs.length} captured log lines`).toEqual([]);
});
