// The console's API types (console/src/api/schema.d.ts) are generated from /openapi.json: this
// regenerates them from a fresh app and fails when the checked-in file differs, so a change to the
// API that the console has not taken in is caught here. Fix: `npm run console:api`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateApiSchema, SCHEMA_FILE } from '../../console/tools/api-schema.js';

describe("the console's API client", () => {
  it('is generated from the live OpenAPI document (run `npm run console:api` after an API change)', async () => {
    const generated = await generateApiSchema();
    expect(generated === readFileSync(SCHEMA_FILE, 'utf8'), 'console/src/api/schema.d.ts is stale: run `npm run console:api`').toBe(true);
  }, 60_000);
});
