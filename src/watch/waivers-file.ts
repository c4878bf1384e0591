import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Waiver } from '../check/waivers.js';
import { loadYaml } from '../inventory/yaml-source.js';

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

const WaiverSchema = z.strictObject({
  node: z.string().min(1),
  item: z.string().min(1),
  reason: z.string().trim().min(3, 'a waiver needs a reason'),
  expires: z
    .string()
    .regex(DATE, 'expires must be a date (2027-01-31) or a date-time with zone (2027-01-31T18:00:00Z)')
    .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? s + 'T00:00:00Z' : s)), 'not a real date'),
});

const WaiversSchema = z.strictObject({ version: z.literal(1), waivers: z.array(WaiverSchema).default([]) });

/** `waivers.yaml` beside the inventory, when it exists (or the file named by --waivers, which must). */
export function defaultWaiversFile(inventoryFile: string): string | null {
  const f = join(dirname(inventoryFile), 'waivers.yaml');
  return existsSync(f) ? f : null;
}

export async function loadWaivers(file: string): Promise<Waiver[]> {
  const { value, text } = await loadYaml(file, WaiversSchema);
  const lines = text.split('\n');
  let from = 0;
  return value.waivers.map((w) => {
    // the line of each entry's "- node:" or first key, for messages
    const at = lines.findIndex((l, i) => i >= from && /^\s*-\s/.test(l));
    from = at + 1;
    return at >= 0 ? { ...w, line: at + 1 } : { ...w };
  });
}

/** The waivers a command uses: --waivers FILE (must exist), else waivers.yaml beside the inventory, else none. */
export async function waiversFor(inventoryFile: string, explicit: string | undefined): Promise<Waiver[]> {
  const file = explicit ?? defaultWaiversFile(inventoryFile);
  return file ? loadWaivers(file) : [];
}
