// Where clawfleet keeps its state when the gateway's user owns the OpenClaw home (a real deployment): the
// attic moves up to the deepest ancestor only root (or clawfleet's own user) can change, and rollback finds it
// from the run's own journal.
import { chownSync, existsSync, readdirSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
beforeEach(async () => {
  f = await tempDemoFleet();
});
afterEach(() => f.cleanup());

describe('attic location (executor/state-trust.ts)', () => {
  it('an OpenClaw home owned by the gateway user: moved dirs go to <ancestor>/.clawfleet-attic, and rollback brings them back', async () => {
    const root = f.node('node02').root!;
    chownSync(`${root}/root/.openclaw`, 1000, 1000);
    const before = await snapshotTree(root);
    const plan = await f.plan('node02');
    const runId = newRunId();
    const r = await applyNode(f.writer('node02'), plan, { runId, by: 't', baseline: 'openclaw-classic', layout: f.layout('node02') });
    expect(r.status, r.error).toBe('changed');
    expect(existsSync(`${root}/root/.openclaw/.clawfleet`)).toBe(false);
    expect(readdirSync(`${root}/root/.clawfleet-attic/${runId}/moved`).length).toBeGreaterThan(0);
    const rb = await rollbackRun(f.writer('node02'), plan.paths, runId, 't', f.layout('node02'));
    expect(rb.status).toBe('rolled-back');
    expect(diffSnapshots(before, await snapshotTree(root)).filter((d) => !d.includes('.clawfleet-attic'))).toEqual([]);
  });
});
