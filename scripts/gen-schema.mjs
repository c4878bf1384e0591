#!/usr/bin/env node
// Regenerates schema/plan.schema.json from the zod types (run `npm run build` first).
// The test suite fails when the checked-in file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { planJsonSchema } from '../dist/plan-file/schema.js';

writeFileSync(new URL('../schema/plan.schema.json', import.meta.url), JSON.stringify(planJsonSchema(), null, 2) + '\n');
console.log('wrote schema/plan.schema.json');
