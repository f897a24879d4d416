// Two lanes (Vitest projects), chosen by file name; CONTRIBUTING.md says which test goes where.
// - unit: `*.unit.test.ts` — pure modules and engines over fakes: no app, no server, no socket,
//   no database or Redis, no real sleeps. `npm run test:unit`, under 20 s.
// - integration: every other `*.test.ts` — the real app over real SQLite, PostgreSQL, Redis,
//   sockets, child processes and browsers. `npm run test:integration`.
// `npm test` runs both. After every run the slowest files are listed and files over 10 s marked.
import { defineConfig } from 'vitest/config';
import SlowFilesReporter from './test/support/slow-files-reporter.js';

const UNIT = 'test/**/*.unit.test.ts';

export default defineConfig({
  test: {
    setupFiles: ['test/support/setup.ts'],
    globalSetup: ['test/support/schema-teardown.ts', 'test/support/cli-build.ts'],
    reporters: ['default', new SlowFilesReporter({ top: 5, slowMs: 10_000 })],
    // Vitest 3 reads pool isolation from the root config only.
    // - threads (the unit lane): files hold no server, handle or global state, so they share
    //   workers without per-file isolation; a fresh worker per file cost 3x the tests themselves.
    // - forks (the integration lane): three processes that each run many files, so the app's
    //   module graph (some 670 CommonJS modules, 1 s per load) is loaded three times per run
    //   instead of once per file. Files therefore leave nothing behind: every app, server and
    //   timer closed in their own hooks, and the setup file clears the captured logs after each
    //   file. minForks equals maxForks because the pool's idle-timeout removal of a worker can run
    //   twice and reject the worker's own teardown ("Terminating worker thread"), failing a run
    //   whose tests all passed.
    poolOptions: { threads: { isolate: false }, forks: { isolate: false, maxForks: 3, minForks: 3 } },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [UNIT],
          pool: 'threads',
          testTimeout: 5_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [UNIT, '**/node_modules/**'],
          // Native modules (better-sqlite3, argon2), servers and signals: child processes, not threads.
          pool: 'forks',
          // A bound for hangs, not a speed target (that is `npm run bench`): tests that start
          // several processes in turn took 6 s here alone and over 30 s on a loaded CI runner.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
