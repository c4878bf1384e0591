#!/usr/bin/env node
// Copies the files tsc does not emit (the node-side shell scripts, src/**/*.sh) to the same place under
// dist/, where the compiled modules look for them (e.g. dist/transport/ssh/probe.sh). Part of `npm run build`.
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'src');

/** Every asset under src/, as paths relative to src/. */
export async function assets() {
  const out = [];
  const walk = async (dir) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(dir, e.name));
      else if (e.name.endsWith('.sh')) out.push(relative(SRC, join(dir, e.name)));
    }
  };
  await walk(SRC);
  return out.sort();
}

/** Copies every asset to `outDir`/<its path under src/>, or flat into `outDir` (the bundle). */
export async function copyAssets(outDir, { flat = false } = {}) {
  for (const rel of await assets()) {
    const to = join(outDir, flat ? rel.split('/').pop() : rel);
    await mkdir(dirname(to), { recursive: true });
    await copyFile(join(SRC, rel), to);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await copyAssets(join(ROOT, 'dist'));
