// Global setup of the test run: PostgreSQL schemas that test files are done with are dropped
// once, when every file has finished (see releaseSchema in databases.ts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { dropSchema } from './databases-drop.js';

export default function setup(project: TestProject): () => Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-retired-schemas-'));
  project.provide('retiredSchemaDir', dir);
  return async function dropRetiredSchemas() {
    for (const schema of readdirSync(dir)) {
      await dropSchema(readFileSync(join(dir, schema), 'utf8'), schema).catch((error: unknown) => console.warn(`could not drop schema ${schema}:`, error));
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
