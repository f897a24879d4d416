// Captures every log line a test's servers write, and every secret the tests were handed, so the
// setup file can assert after each test file that no secret ever reached a log.
import { Writable } from 'node:stream';

export const capturedLogs: string[] = [];
export const handedSecrets = new Set<string>();

export function rememberSecret(...secrets: Array<string | undefined | null>): void {
  for (const secret of secrets) if (secret) handedSecrets.add(secret);
}

export function logSink(): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      capturedLogs.push(chunk.toString('utf8'));
      callback();
    },
  });
}

/**
 * Forgets what was captured: the setup file calls it after each file's check, so a worker that runs
 * many files keeps only the current file's logs and secrets (and checks each line once).
 */
export function clearCapture(): void {
  capturedLogs.length = 0;
  handedSecrets.clear();
}

/** Secrets found in the captured logs (should always be empty). */
export function leakedSecrets(): string[] {
  const text = capturedLogs.join('');
  return [...handedSecrets].filter((secret) => text.includes(secret));
}
