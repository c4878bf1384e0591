import { readFile, readlink } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { faultyWriter } from '../helpers/faulty-writer.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
const NODES = ['t440', 'node02', 'node03', 'node04'];
const opts = () => ({ runId: newRunId(), by: 'test@vitest', baseline: 'openclaw-classic' });

async function authFiles(f: Fleet, name: string): Promise<Map<string, string>> {
  const snap = await snapshotTree(f.node(name).root!);
  return new Map([...snap].filter(([k]) => k.endsWith('auth-profiles.json')));
}

describe('executor on the local transport (reference scenario)', () => {
  let f: Fleet;
  beforeEach(async () => {
    f = await tempDemoFleet();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it.each(NODES)('%s: apply converges, so a re-plan is empty', async (name) => {
    const plan = await f.plan(name);
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(plan.actions.length).toBeGreaterThan(0);
    const r = await applyNode(f.writer(name), plan, opts());
    expect(r.status, r.error).toBe('changed');
    expect(r.done).toBe(plan.actions.length);
    expect((await f.plan(name)).actions).toEqual([]);
  });

  it('moves real session and memory files behind the links without losing a byte', async () => {
    const root = f.node('node02').root!;
    const before = await readFile(`${root}/root/.openclaw/agents/coder/sessions/s-coder-1.jsonl`, 'utf8');
    const r = await applyNode(f.writer('node02'), await f.plan('node02'), opts());
    expect(r.status).toBe('changed');
    // the link holds the node's own path (a demo dir is an image of a node), and the file is at its target
    expect(await readlink(`${root}/root/.openclaw/agents/coder/sessions`)).toBe('/openclaw-data/agents/coder/sessions');
    expect(await readFile(`${root}/openclaw-data/agents/coder/sessions/s-coder-1.jsonl`, 'utf8')).toBe(before);
  });

  it.each(NODES)('%s: rollback by run id restores the byte-identical tree', async (name) => {
    const root = f.node(name).root!;
    const before = await snapshotTree(root);
    const o = opts();
    const r = await applyNode(f.writer(name), await f.plan(name), o);
    expect(r.status).toBe('changed');
    expect(diffSnapshots(before, await snapshotTree(root)).length).toBeGreaterThan(0);
    // a fresh writer: nothing but the node's own journal is used
    const rb = await rollbackRun(f.writer(name), (await f.plan(name)).paths, o.runId, 'other@machine');
    expect(rb.undone).toBe(r.done);
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);
    const again = await rollbackRun(f.writer(name), (await f.plan(name)).paths, o.runId, 'other@machine');
    expect(again.status).toBe('nothing-to-undo');
  });

  it.each(NODES)('%s: a failure injected at every write point rolls back to the byte-identical tree', { timeout: 600_000 }, async (name) => {
    const root = f.node(name).root!;
    const before = await snapshotTree(root);
    const authBefore = await authFiles(f, name);
    // learn how many write points a clean run has
    const probe = faultyWriter(f.writer(name), Number.MAX_SAFE_INTEGER);
    const plan = await f.plan(name);
    await applyNode(probe.writer, plan, opts());
    const points = probe.calls();
    expect(points).toBeGreaterThan(plan.actions.length);
    await rollbackRun(f.writer(name), plan.paths, (await import('../helpers/last-run.js')).lastRunId(root), 't');
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);

    // The tree is byte-identical after each rollback (asserted below), so one plan serves every point.
    for (let k = 1; k <= points; k++) {
      const { writer } = faultyWriter(f.writer(name), k);
      const o = opts();
      const r = await applyNode(writer, structuredClone(plan), o);
      expect(['rolled-back', 'failed', 'changed'], `write #${k}: ${r.status} ${r.rollbackError ?? ''}`).toContain(r.status);
      if (r.status === 'changed') {
        // the fault hit after the last action (lock release): the run is complete and must roll back cleanly
        expect(r.done).toBe(plan.actions.length);
        expect(r.lockError).toBeUndefined();
        await rollbackRun(f.writer(name), plan.paths, o.runId, 't');
      }
      expect(diffSnapshots(before, await snapshotTree(root)), `after fault at write #${k}`).toEqual([]);
      expect(await authFiles(f, name)).toEqual(authBefore);
    }
  });

  it('refuses every action of a node whose plan has an error, changing nothing', async () => {
    const root = f.node('node02').root!;
    const before = await snapshotTree(root, { exclude: /^$/ });
    const plan = await f.plan('node02');
    plan.diagnostics.push({ severity: 'error', node: 'node02', message: 'synthetic' });
    const r = await applyNode(f.writer('node02'), plan, opts());
    expect(r.status).toBe('refused');
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);
  });
});
