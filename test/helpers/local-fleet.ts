import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoFleet } from '../../src/demo/demo-fleet.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { loadBaseline, BUILTIN_PLANS } from '../../src/inventory/load-baseline.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { planNode } from '../../src/planner/plan-node.js';
import { layoutFor } from '../../src/planner/layout.js';
import { LocalNode } from '../../src/transport/local.js';
import type { NodeSpec } from '../../src/domain/inventory.js';

/** A fresh reference-scenario demo fleet in a temp dir. */
export async function tempDemoFleet() {
  const dir = await mkdtemp(join(tmpdir(), 'clawfleet-test-'));
  const inventoryFile = await createDemoFleet(join(dir, 'fleet'));
  const inventory = await loadInventory(inventoryFile);
  const { baseline } = await loadBaseline('openclaw-classic', [BUILTIN_PLANS]);
  const node = (name: string): NodeSpec => inventory.nodes.find((n) => n.name === name)!;
  const writer = (name: string) => new LocalNode({ node: name, root: node(name).root!, home: '/root' });
  const plan = async (name: string, w = writer(name)) => {
    const { facts, layout } = await gatherFacts(w, node(name), baseline);
    return planNode({ baseline, node: node(name), facts, layout });
  };
  const layout = (name: string) => layoutFor(baseline, node(name), '/root');
  return { dir, inventoryFile, inventory, baseline, node, writer, plan, layout, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
