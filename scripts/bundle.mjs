#!/usr/bin/env node
// Bundles the CLI (src/cli.ts and every dependency but ssh2) into dist/bin/clawfleet.js, what `bin` runs.
// Why: Node loads ~320 ES module files for a `plan` otherwise (zod, yaml, diff, our own), ~0.15–0.3 s of
// start-up on a small machine before the first byte goes to a node; one file loads in a fraction of that.
// ssh2 stays external (native add-ons; it is CommonJS and loads fast), and so does sql.js (its .wasm file is
// found next to its own module, and it is loaded only when a node has an agent DB to inspect). The bundle sits two levels below the
// package root, as dist/inventory/load-baseline.js does, so the built-in plans (../../plans) resolve alike.
// dist/cli.js (tsc's output) stays a working entry point too; the tests run the bundle. The node-side shell
// scripts (src/**/*.sh, e.g. the probe) are copied next to the bundle, where the bundled code looks for them.
import { chmod, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';
import { copyAssets } from './copy-assets.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist/bin');

// Built aside, then swapped in: a clawfleet started meanwhile finds the old bundle or the new one, whole.
const TMP = `${OUT}.tmp-${process.pid}`;
const OLD = `${OUT}.old-${process.pid}`;
await rm(TMP, { recursive: true, force: true });
await build({
  input: join(ROOT, 'src/cli.ts'),
  platform: 'node',
  external: [/^node:/, /^ssh2$/, /^ssh2\//, /^cpu-features$/, /^sql\.js(\/|$)/],
  logLevel: 'warn',
  output: {
    dir: TMP,
    format: 'esm',
    entryFileNames: 'clawfleet.js',
    chunkFileNames: 'chunk-[hash].js',
    sourcemap: false,
  },
});
// bin's run bit: npm sets it when it links an installed package, but not for `npx clawfleet` in this checkout.
await chmod(join(TMP, 'clawfleet.js'), 0o755);
await copyAssets(TMP, { flat: true });
await rename(OUT, OLD).catch(() => undefined);
await rename(TMP, OUT);
await rm(OLD, { recursive: true, force: true });
