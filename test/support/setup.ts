// Runs in every test file: after the file, no key, token or password it was handed may appear in
// anything its servers logged.
import { afterAll, expect } from 'vitest';
import { capturedLogs, clearCapture, leakedSecrets } from './log-capture.js';

afterAll(() => {
  const leaked = leakedSecrets();
  const lines = capturedLogs.length;
  clearCapture();
  expect(leaked, `secrets found in ${lines} captured log lines`).toEqual([]);
});
