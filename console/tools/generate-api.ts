// `npm run console:api`: regenerates console/src/api/schema.d.ts from the app's OpenAPI document.
import { writeFileSync } from 'node:fs';
import { generateApiSchema, SCHEMA_FILE } from './api-schema.js';

writeFileSync(SCHEMA_FILE, await generateApiSchema());
console.log(`wrote ${SCHEMA_FILE.pathname}`);
