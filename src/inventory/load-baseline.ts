import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClawError } from '../domain/errors.js';
import { BaselineSchema, type Baseline } from './baseline-schema.js';
import { checkBaselineSecrets } from './baseline-sanity.js';
import { suggest } from './suggest.js';
import { loadYaml } from './yaml-source.js';

export interface LoadedBaseline {
  baseline: Baseline;
  file: string;
  sha256: string;
}

/** The plans/ dir shipped with clawfleet (used when the inventory's dir has none). */
export const BUILTIN_PLANS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'plans');

/** Finds `<name>.yaml` in the given plans dirs, first hit wins. */
export async function loadBaseline(name: string, baselineDirs: string[]): Promise<LoadedBaseline> {
  for (const dir of baselineDirs) {
    const file = join(dir, `${name}.yaml`);
    if (!existsSync(file)) continue;
    const y = await loadYaml(file, BaselineSchema);
    if (y.value.name !== name) {
      throw new ClawError('SCHEMA', `name: "${y.value.name}" does not match the file name "${name}"`, { path: file });
    }
    checkBaselineSecrets(y.value, file, y.text);
    return { baseline: y.value, file, sha256: y.sha256 };
  }
  const known = baselineDirs.flatMap((d) => {
    try {
      return readdirSync(d).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5));
    } catch {
      return [];
    }
  });
  const near = suggest(name, known);
  throw new ClawError('ENOENT', `baseline "${name}" not found in ${baselineDirs.join(', ')}${near ? ` (did you mean "${near}"?)` : ''}`);
}

export function baselineDirsFor(inventoryFile: string, explicit?: string): string[] {
  if (explicit) return [resolve(explicit)];
  return [join(dirname(resolve(inventoryFile)), 'plans'), BUILTIN_PLANS];
}
