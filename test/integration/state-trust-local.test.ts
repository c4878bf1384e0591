// Where clawfleet keeps its state (executor/state-trust.ts): only where no other user can write. When the
// gateway's user owns the OpenClaw home (a real deployment), the attic moves up to the deepest ancestor only
// root (or clawfleet's own user) can change, and rollback finds it there, its journal checked against it.
import { chownSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { layoutFor } from '../../src/shared/layout.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
beforeEach(async () => {
  f = await tempDemoFleet();
});
afterEach(() => f.cleanup());

const opts = (runId: string) => ({ runId, by: 't', baseline: 'openclaw-classic' });

describe('clawfleet state only where no other user can write (executor/state-trust.ts)', () => {
  it('an OpenClaw home owned by the gateway user: moved dirs go to <ancestor>/.clawfleet-attic, and rollback brings them back', async () => {
    const root = f.node('node02').root!;
    chownSync(`${root}/root/.openclaw`, 1000, 1000);
    const before = await snapshotTree(root);
    const plan = await f.plan('node02');
    const runId = newRunId();
    const r = await applyNode(f.writer('node02'), plan, opts(runId));
    expect(r.status, r.error).toBe('changed');
    expect(existsSync(`${root}/root/.openclaw/.clawfleet`)).toBe(false);
    expect(readdirSync(`${root}/root/.clawfleet-attic/${runId}/moved`).length).toBeGreaterThan(0);
    const planned = layoutFor(f.baseline, f.node('node02'), '/root');
    const rb = await rollbackRun(f.writer('node02'), plan.paths, runId, 't', { planned });
    expect(rb.status).toBe('rolled-back');
    expect(diffSnapshots(before, await snapshotTree(root)).filter((d) => !d.includes('.clawfleet-attic'))).toEqual([]);
  });

  it('refuses before a byte is written when the state dir belongs to another user, or the attic is a symlink', async () => {
    const root = f.node('node02').root!;
    mkdirSync(`${root}/openclaw-data/.clawfleet`);
    chownSync(`${root}/openclaw-data/.clawfleet`, 1000, 1000);
    const before = await snapshotTree(root, { exclude: /^$/ });
    const r = await applyNode(f.writer('node02'), await f.plan('node02'), opts(newRunId()));
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(/\/openclaw-data\/\.clawfleet: is owned by uid 1000, not by uid 0 .*no other user can write/);
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);

    chownSync(`${root}/openclaw-data/.clawfleet`, 0, 0);
    mkdirSync(`${root}/elsewhere`);
    symlinkSync('../../elsewhere', `${root}/root/.openclaw/.clawfleet`);
    const r2 = await applyNode(f.writer('node02'), await f.plan('node02'), opts(newRunId()));
    expect(r2.error).toMatch(/\/root\/\.openclaw\/\.clawfleet: is a symlink/);
    expect(readdirSync(`${root}/elsewhere`)).toEqual([]);
  });
});
