// The transition (unlink) and the current baseline's agent dir move (relocate) through the real executor on
// the local transport: applied, converged, rolled back to the byte-identical tree.
import { mkdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { planNode } from '../../src/planner/plan-node.js';
import { LocalNode } from '../../src/transport/local.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { nodeSpec } from '../helpers/plan-builders.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;

describe('transition and relocation on the local transport', () => {
  let f: Fleet;
  beforeEach(async () => {
    f = await tempDemoFleet();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('a classic-converged node: the transition turns every link back into a real dir with its data; rollback brings the links back', async () => {
    const { baseline: current } = await loadBaseline('openclaw-current', [BUILTIN_PLANS]);
    const name = 'node02';
    const root = f.node(name).root!;
    const session = await readFile(`${root}/root/.openclaw/agents/coder/sessions/s-coder-1.jsonl`, 'utf8');
    expect((await applyNode(f.writer(name), await f.plan(name), { runId: newRunId(), by: 't', baseline: 'openclaw-classic' })).status).toBe('changed');
    expect(await readlink(`${root}/root/.openclaw/agents/coder/sessions`)).toBe('/openclaw-data/agents/coder/sessions');
    const linked = await snapshotTree(root);

    const spec = { ...f.node(name), baseline: 'openclaw-current' };
    const planCurrent = async () => {
      const { facts, layout } = await gatherFacts(f.writer(name), spec, current);
      return planNode({ baseline: current, node: spec, facts, layout });
    };
    const plan = await planCurrent();
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const unlinks = plan.actions.filter((a) => a.type === 'unlink');
    expect(unlinks.length).toBe(4 + 2 * spec.agents.length);
    const o = { runId: newRunId(), by: 't', baseline: 'openclaw-current' };
    const r = await applyNode(f.writer(name), plan, o);
    expect(r.status, r.error).toBe('changed');
    // a real dir again, holding the data; nothing of it left in the data root's dirs
    expect(await readFile(`${root}/root/.openclaw/agents/coder/sessions/s-coder-1.jsonl`, 'utf8')).toBe(session);
    const after = await snapshotTree(root);
    expect([...after.keys()].filter((k) => after.get(k)!.startsWith('link'))).toEqual([]);
    expect([...after.keys()].some((k) => k.startsWith('openclaw-data/agents/coder/sessions/'))).toBe(false);
    expect((await planCurrent()).actions.filter((a) => a.type !== 'ensure-dir')).toEqual([]);

    const rb = await rollbackRun(f.writer(name), plan.paths, o.runId, 'other@machine');
    expect(rb.undone).toBe(r.done);
    expect(diffSnapshots(linked, await snapshotTree(root))).toEqual([]);
  });

  it('openclaw-current on a 2026.9.6 node: the agent dir moves whole, agentDir is set; rollback restores both', async () => {
    const { baseline } = await loadBaseline('openclaw-current', [BUILTIN_PLANS]);
    const root = join(f.dir, 'n96');
    const oc = `${root}/root/.openclaw`;
    await mkdir(`${oc}/agents/alpha/agent`, { recursive: true });
    await mkdir(`${root}/openclaw-data`, { recursive: true });
    await writeFile(`${oc}/agents/alpha/agent/openclaw-agent.sqlite`, 'SQLite format 3\0 pretend', { mode: 0o600 });
    await writeFile(`${oc}/agents/alpha/agent/openclaw-agent.sqlite-wal`, 'wal', { mode: 0o600 });
    await writeFile(`${oc}/agents/alpha/agent/models.json`, '{}');
    const cfg = `{\n  "meta": { "lastTouchedVersion": "2026.9.6" },\n  "agents": { "entries": { "alpha": { "agentDir": "${'/root/.openclaw'}/agents/alpha/agent" } } }\n}\n`;
    await writeFile(`${oc}/openclaw.json`, cfg, { mode: 0o600 });
    const spec = nodeSpec({ name: 'n96', transport: 'local', root, baseline: 'openclaw-current', agents: ['alpha'], keepAgents: [] });
    const w = () => new LocalNode({ node: 'n96', root, home: '/root' });
    const plan = async () => {
      const { facts, layout } = await gatherFacts(w(), spec, baseline);
      return planNode({ baseline, node: spec, facts, layout });
    };
    const before = await snapshotTree(root);
    const p = await plan();
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(p.actions.map((a) => a.type)).toContain('relocate');
    const o = { runId: newRunId(), by: 't', baseline: 'openclaw-current' };
    const r = await applyNode(w(), p, o);
    expect(r.status, r.error).toBe('changed');
    expect(await readFile(`${root}/openclaw-data/agents/alpha/agent/openclaw-agent.sqlite-wal`, 'utf8')).toBe('wal');
    const json = JSON.parse(await readFile(`${oc}/openclaw.json`, 'utf8')) as { agents: { entries: { alpha: { agentDir: string } } } };
    expect(json.agents.entries.alpha.agentDir).toBe('/openclaw-data/agents/alpha/agent');
    expect((await snapshotTree(root)).has('root/.openclaw/agents/alpha/agent/models.json')).toBe(false);
    expect((await plan()).actions).toEqual([]);

    const rb = await rollbackRun(w(), p.paths, o.runId, 'other@machine');
    expect(rb.undone).toBe(r.done);
    const back = diffSnapshots(before, await snapshotTree(root));
    // what stays: the data dirs the run created (empty; rollback keeps a data root that holds clawfleet's state)
    expect(back.filter((d) => !/openclaw-data/.test(d))).toEqual([]);
  });
});
