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
    // Only the unit lane uses threads. Its files hold no server, handle or global state, so they
    // share workers without per-file isolation: a fresh worker per file cost 3x the tests
    // themselves (18 s against 7 s). Vitest 3 reads pool isolation from the root config only.
    poolOptions: { threads: { isolate: false }, forks: { maxForks: 3, minForks: 1 } },
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
          // Native modules (better-sqlite3, argon2) and servers: one process per file.
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
