import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ClawError } from '../domain/errors.js';
import { SCENARIO, type ScenarioNode } from './scenario-data.js';
import { seedNode } from './seed.js';
import { createNewNode } from './new-node.js';

const MARKER = '.clawfleet-demo';

/** The inventory line naming the orphans the operator decided to quarantine although they hold credentials. */
export function quarantineLine(n: ScenarioNode): string {
  return n.quarantine.length > 0 ? `    quarantineAgents: [${n.quarantine.join(', ')}]   # hold credentials: quarantined by the operator's decision\n` : '';
}

/** The inventory of the local demo fleet: four dirs standing in for the four reference nodes. */
export function demoInventory(): string {
  const nodes = SCENARIO.map(
    (n) => `  ${n.name}:\n    root: nodes/${n.name}\n    agents: [${n.agents.join(', ')}]\n${quarantineLine(n)}`,
  ).join('');
  return `# The reference scenario as a local demo fleet (made by \`clawfleet demo\`).
# Each node is a dir standing in for the node's "/": its home is /root, its data root /openclaw-data.
version: 1
defaults:
  transport: local
  home: /root
  dataRoot: /openclaw-data
  openclawHome: ~/.openclaw
  baseline: openclaw-classic
groups:
  prod: { nodes: [${SCENARIO.map((n) => n.name).join(', ')}] }
nodes:
${nodes}`;
}

/**
 * (Re)creates the demo fleet under `dir`, with the bare node beside it (new-node.ts: its own inventory);
 * refuses to touch a dir it did not make. Returns the fleet's inventory path.
 */
export async function createDemoFleet(dir: string): Promise<string> {
  const abs = resolve(dir);
  if (existsSync(abs)) {
    if (!existsSync(join(abs, MARKER))) throw new ClawError('EEXIST', 'exists and is not a clawfleet demo dir: refusing to replace it', { path: abs });
    await rm(abs, { recursive: true, force: true });
  }
  await mkdir(join(abs, 'nodes'), { recursive: true });
  await writeFile(join(abs, MARKER), 'made by clawfleet demo; safe to delete\n');
  for (const n of SCENARIO) await seedNode(join(abs, 'nodes', n.name), n);
  const inv = join(abs, 'inventory.yaml');
  await writeFile(inv, demoInventory());
  await createNewNode(abs);
  return inv;
}
