import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';

/**
 * A local fleet at scale: t440 (the reference node with the credential warning), node03 (one change), and
 * node02-like nodes up to nodeNN (alike: the same 25 changes each). Each node is a dir standing in for `/`.
 */
export async function bigLocalFleet(count: number): Promise<{ dir: string; inventoryFile: string; names: string[]; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'clawfleet-big-'));
  const [t440, node02, node03] = [SCENARIO[0]!, SCENARIO[1]!, SCENARIO[2]!];
  const width = Math.max(2, String(count).length);
  const nodes = [t440, node03, ...Array.from({ length: count - 2 }, (_, i) => ({ ...node02, name: `node${String(i + 4).padStart(width, '0')}` }))].map((n, i) => (i === 1 ? { ...n, name: `node${'3'.padStart(width, '0')}` } : n));
  await mkdir(join(dir, 'nodes'));
  for (const n of nodes) await seedNode(join(dir, 'nodes', n.name), n);
  const inv = `version: 1
defaults: { transport: local, home: /root, dataRoot: /openclaw-data, openclawHome: ~/.openclaw, baseline: openclaw-classic }
nodes:
${nodes.map((n) => `  ${n.name}: { root: nodes/${n.name}, agents: [${n.agents.join(', ')}] }`).join('\n')}
`;
  const inventoryFile = join(dir, 'inventory.yaml');
  await writeFile(inventoryFile, inv);
  return { dir, inventoryFile, names: nodes.map((n) => n.name), cleanup: () => rm(dir, { recursive: true, force: true }) };
}
