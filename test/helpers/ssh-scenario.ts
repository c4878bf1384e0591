import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { quarantineLine } from '../../src/demo/demo-fleet.js';
import type { Fleet } from '../ssh/fleet.js';

/** Seeds every fleet node with its reference-scenario state (links hold node paths) and writes an inventory. */
export async function seedReferenceFleet(fleet: Fleet, opts: { identity?: string; extra?: string } = {}): Promise<string> {
  for (const n of SCENARIO) await seedNode(fleet.node(n.name).hostRoot, n, (p) => p);
  const nodes = SCENARIO.map((n) => `  ${n.name}:\n    host: ${fleet.node(n.name).host}\n    agents: [${n.agents.join(', ')}]\n${quarantineLine(n)}`).join('');
  const inv = join(fleet.dir, 'inventory.yaml');
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${opts.identity ?? fleet.clientKey}\n  baseline: openclaw-classic\n${opts.extra ?? ''}nodes:\n${nodes}`,
  );
  return inv;
}
