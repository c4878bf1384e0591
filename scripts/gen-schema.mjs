#!/usr/bin/env node
// Regenerates schema/*.schema.json from the zod types (run `npm run build` first).
// The test suite fails when a checked-in file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { planJsonSchema } from '../dist/plan-file/schema.js';
import { alertJsonSchema, checkJsonSchema } from '../dist/check/schema.js';

for (const [name, schema] of [['plan', planJsonSchema()], ['check', checkJsonSchema()], ['alert', alertJsonSchema()]]) {
  writeFileSync(new URL(`../schema/${name}.schema.json`, import.meta.url), JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote schema/${name}.schema.json`);
}
