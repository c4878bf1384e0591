import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';

/**
 * A local fleet at scale, like the reference inventory: t440 (15 agents, the orphans `main` and
 * `child-learning` quarantined by the operator's decision: the one credential warning), node03 (only
 * memorySearch present) and node02, node04… up to `count` nodes in all, alike (node02's changes each).
 * Each node is a dir standing in for `/`.
 */
export async function bigLocalFleet(count: number): Promise<{ dir: string; inventoryFile: string; names: string[]; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'clawfleet-big-'));
  const [t440, node02, node03] = [SCENARIO[0]!, SCENARIO[1]!, SCENARIO[2]!];
  const width = Math.max(2, String(count).length);
  const name = (i: number) => `node${String(i).padStart(width, '0')}`;
  const nodes = [t440, ...Array.from({ length: count - 1 }, (_, i) => (i + 2 === 3 ? { ...node03, name: name(3) } : { ...node02, name: name(i + 2) }))];
  await mkdir(join(dir, 'nodes'));
  for (const n of nodes) await seedNode(join(dir, 'nodes', n.name), n);
  const inv = `version: 1
defaults: { transport: local, home: /root, dataRoot: /openclaw-data, openclawHome: ~/.openclaw, baseline: openclaw-classic }
nodes:
${nodes.map((n) => `  ${n.name}: { root: nodes/${n.name}, agents: [${n.agents.join(', ')}]${n.quarantine.length ? `, quarantineAgents: [${n.quarantine.join(', ')}]` : ''} }`).join('\n')}
`;
  const inventoryFile = join(dir, 'inventory.yaml');
  await writeFile(inventoryFile, inv);
  return { dir, inventoryFile, names: nodes.map((n) => n.name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
