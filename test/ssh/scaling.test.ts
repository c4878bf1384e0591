// Scaling: facts cost a constant number of round trips per node, whatever the agent count. Two isolated sshd
// nodes (scripts/test-fleet.sh) with the same drift, one with 1 agent and one with 50; the assertion is on
// the transport's own counters (exec channels, probes, SFTP requests), never on time.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioNode } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { planNode } from '../../src/planner/plan-node.js';
import { SshNode } from '../../src/transport/ssh/ssh-node.js';
import { startFleet, type Fleet } from './fleet.js';

const agents = (n: number) => Array.from({ length: n }, (_, i) => `agent${String(i + 1).padStart(2, '0')}`);
/** node02-like drift (no links, no config sections) plus two orphans, so every facts path is taken. */
const KINDS: ScenarioNode[] = [
  { name: 'one', agents: agents(1), orphans: ['stale-a', 'stale-b'], quarantine: ['stale-a', 'stale-b'], sections: [], linked: false },
  { name: 'fifty', agents: agents(50), orphans: ['stale-a', 'stale-b'], quarantine: ['stale-a', 'stale-b'], sections: [], linked: false },
];

let fleet: Fleet;
let inv: string;

beforeAll(async () => {
  fleet = await startFleet({ names: KINDS.map((k) => k.name), firstOctet: 175 });
  for (const k of KINDS) await seedNode(fleet.node(k.name).hostRoot, k, (p) => p);
  inv = join(fleet.dir, 'inventory.yaml');
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\nnodes:\n` +
      KINDS.map((k) => `  ${k.name}:\n    host: ${fleet.node(k.name).host}\n    agents: [${k.agents.join(', ')}]\n    quarantineAgents: [${k.quarantine.join(', ')}]\n`).join(''),
  );
});

afterAll(async () => {
  await fleet?.stop();
});

describe('scaling over SSH', () => {
  it('gathers the facts of a 1-agent and of a 50-agent node in the same number of round trips', async () => {
    const { baseline } = await loadBaseline('openclaw-classic', [BUILTIN_PLANS]);
    const specs = (await loadInventory(inv)).nodes;
    const counts: Record<string, { exec: number; probe: number; sftp: number; actions: number; agentDirs: number }> = {};
    for (const spec of specs) {
      const w = await SshNode.open({ node: spec.name, host: spec.host, user: 'root', identityFiles: [fleet.clientKey], knownHostsFiles: [fleet.knownHosts], agent: '' });
      try {
        const before = { exec: w.execCount, probe: w.probeCount, sftp: w.sftpCount };
        const { facts, layout } = await gatherFacts(w, spec, baseline);
        const plan = planNode({ baseline, node: spec, facts, layout });
        expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        counts[spec.name] = {
          exec: w.execCount - before.exec,
          probe: w.probeCount - before.probe,
          sftp: w.sftpCount - before.sftp,
          actions: plan.actions.length,
          agentDirs: facts.agentDirs?.length ?? 0,
        };
      } finally {
        await w.close();
      }
    }
    const { one, fifty } = counts as Record<'one' | 'fifty', (typeof counts)[string]>;
    // The 50-agent node really is bigger: 49 more agent dirs, each with two dirs to link and copy.
    expect(fifty.agentDirs - one.agentDirs).toBe(49);
    expect(fifty.actions).toBeGreaterThan(one.actions + 49 * 2);
    // … and costs exactly the same round trips: one probe for stats/list/config, one for the manifests,
    // the version query, and the login dir over SFTP.
    const trips = (c: typeof one) => ({ exec: c.exec, probe: c.probe, sftp: c.sftp });
    expect(trips(fifty)).toEqual(trips(one));
    expect(trips(one)).toEqual({ exec: 3, probe: 2, sftp: 1 });
  });
});
