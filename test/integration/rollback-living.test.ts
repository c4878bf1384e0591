// Rollback on a living node (local transport, reference scenario): the gateway keeps writing after the apply,
// later runs build on earlier ones, configs get edited, journals and locks are untrusted.
import { onNode } from '../helpers/node-path.js';
import { existsSync } from 'node:fs';
import { appendFile, lstat, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClawError, type ErrorCode } from '../../src/domain/errors.js';
import type { NodePlan } from '../../src/domain/plan.js';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { acquireLock, breakLock, releaseLock } from '../../src/executor/lock.js';
import { previewRollback, rollbackRun } from '../../src/executor/rollback.js';
import type { NodeWriter } from '../../src/transport/types.js';
import { layoutFor } from '../../src/shared/layout.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
const opts = () => ({ runId: newRunId(), by: 'test@vitest', baseline: 'openclaw-classic' });
const SESSIONS = '/root/.openclaw/agents/coder/sessions';

describe('rollback on a living node (local transport)', () => {
  let f: Fleet;
  let root: string;
  beforeEach(async () => {
    f = await tempDemoFleet();
    root = f.node('node02').root!;
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('keeps what the gateway wrote after the apply: appended turns and new session files are in the live dir, and listed', async () => {
    const o = opts();
    const r = await applyNode(f.writer('node02'), await f.plan('node02'), o);
    expect(r.status, r.error).toBe('changed');
    // the gateway writes through the link after the apply
    const turn = '{"type":"message","role":"assistant","text":"written after the apply"}\n';
    // (links hold the node's own paths: onNode follows them as the node would)
    await appendFile(onNode(root, `${SESSIONS}/s-coder-1.jsonl`), turn);
    await writeFile(onNode(root, `${SESSIONS}/s-coder-2.jsonl`), '{"type":"message","text":"a new session"}\n', { mode: 0o600 });
    await mkdir(onNode(root, '/root/.openclaw/media/inbound'), { recursive: true });
    await writeFile(onNode(root, '/root/.openclaw/media/inbound/photo.jpg'), 'JPEG after apply');
    const live = await readFile(onNode(root, `${SESSIONS}/s-coder-1.jsonl`), 'utf8');

    const rb = await rollbackRun(f.writer('node02'), (await f.plan('node02')).paths, o.runId, 'other@machine');
    expect(rb.status).toBe('rolled-back');
    expect((await lstat(`${root}${SESSIONS}`)).isDirectory()).toBe(true);
    expect(await readFile(`${root}${SESSIONS}/s-coder-1.jsonl`, 'utf8')).toBe(live);
    expect(live.endsWith(turn)).toBe(true);
    expect(await readFile(`${root}${SESSIONS}/s-coder-2.jsonl`, 'utf8')).toContain('a new session');
    expect(await readFile(`${root}/root/.openclaw/media/inbound/photo.jpg`, 'utf8')).toBe('JPEG after apply');
    const carried = rb.runs.flatMap((x) => x.undone.flatMap((u) => u.outcome.carried ?? []));
    expect(carried).toEqual(expect.arrayContaining(['s-coder-1.jsonl (changed)', 's-coder-2.jsonl (new)', 'inbound (changed)']));
    // the run's copies left the data root (nothing of the agent's is shown twice)
    expect(existsSync(`${root}/openclaw-data/agents/coder/sessions/s-coder-2.jsonl`)).toBe(false);
    // and nothing else changed: re-plan equals the plan before the apply, modulo the new data
    expect((await f.plan('node02')).actions.length).toBe(r.total);
  });

  it('a config changed after the apply is refused with its diff, unless forced (then the current one is kept aside)', async () => {
    const o = opts();
    const r = await applyNode(f.writer('node02'), await f.plan('node02'), o);
    expect(r.status, r.error).toBe('changed');
    const cfg = `${root}/root/.openclaw/openclaw.json`;
    const edited = (await readFile(cfg, 'utf8')).replace(/\{/, '{\n  "edited": "by the operator after the apply",');
    await writeFile(cfg, edited);
    const before = await snapshotTree(root, { exclude: /^$/ });
    const paths = (await f.plan('node02')).paths;
    await expect(rollbackRun(f.writer('node02'), paths, o.runId, 'x')).rejects.toThrow(/changed after the apply[\s\S]*-.*"edited": "by the operator after the apply"/);
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);
    const preview = await previewRollback(f.writer('node02'), paths, o.runId);
    expect(preview!.refusals.join('\n')).toContain('--force-config');

    const rb = await rollbackRun(f.writer('node02'), paths, o.runId, 'x', { forceConfig: true });
    expect(rb.status).toBe('rolled-back');
    expect(await readFile(cfg, 'utf8')).not.toContain('by the operator after the apply');
    const attic = `${root}/root/.openclaw/.clawfleet/${o.runId}/undone`;
    const kept = (await readdir(attic)).find((n) => n.includes('.changed-'))!;
    expect(await readFile(`${attic}/${kept}`, 'utf8')).toBe(edited);
  });

  it('runs form a history: a run later runs built on is refused naming them; --chain rolls back newest first', async () => {
    const before = await snapshotTree(root);
    const full = await f.plan('node02');
    const cut = (p: NodePlan, from: number, to: number): NodePlan => ({ ...p, actions: p.actions.slice(from, to) });
    const n = full.actions.length;
    const ids: string[] = [];
    for (const [from, to] of [[0, Math.floor(n / 3)], [Math.floor(n / 3), Math.floor((2 * n) / 3)], [Math.floor((2 * n) / 3), n]] as const) {
      const o = opts();
      ids.push(o.runId);
      const r = await applyNode(f.writer('node02'), cut(await f.plan('node02'), 0, to - from), o);
      expect(r.status, r.error).toBe('changed');
      await new Promise((res) => setTimeout(res, 5)); // distinct start times
    }
    expect((await f.plan('node02')).actions).toEqual([]);
    const w = f.writer('node02');
    await expect(rollbackRun(w, full.paths, ids[0]!, 'x')).rejects.toThrow(new RegExp(`later run\\(s\\) ${ids[2]}, ${ids[1]} built on run ${ids[0]}`));
    await expect(rollbackRun(w, full.paths, ids[1]!, 'x')).rejects.toThrow(new RegExp(`later run\\(s\\) ${ids[2]} built on`));
    const chain = await rollbackRun(w, full.paths, ids[0]!, 'x', { chain: true });
    expect(chain.runs.map((x) => x.runId)).toEqual([ids[2], ids[1], ids[0]]);
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);
  });

  it('rolls back out of order only what is rolled back in order: run 3, then 2, then 1', async () => {
    const before = await snapshotTree(root);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const p = await f.plan('node02');
      const o = opts();
      ids.push(o.runId);
      const r = await applyNode(f.writer('node02'), { ...p, actions: p.actions.slice(0, i < 2 ? 5 : p.actions.length) }, o);
      expect(r.status, r.error).toBe('changed');
      await new Promise((res) => setTimeout(res, 5));
    }
    const paths = (await f.plan('node02')).paths;
    for (const id of [...ids].reverse()) expect((await rollbackRun(f.writer('node02'), paths, id, 'x')).status).toBe('rolled-back');
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);
  });

  it('a journal of an unknown version, or with a malformed line, is refused in one line naming node and path', async () => {
    const o = opts();
    const r = await applyNode(f.writer('node02'), await f.plan('node02'), o);
    expect(r.status).toBe('changed');
    const paths = (await f.plan('node02')).paths;
    const journal = `${root}${paths.stateDir}/runs/${o.runId}/journal.jsonl`;
    const text = await readFile(journal, 'utf8');
    const before = await snapshotTree(root, { exclude: /^$/ });
    await writeFile(journal, text.replace('"v":2', '"v":9'));
    await expect(rollbackRun(f.writer('node02'), paths, o.runId, 'x')).rejects.toThrow(/^journal line 1: unknown journal version 9/);
    const lines = text.split('\n');
    lines.splice(3, 0, '{"v":2,"t":"begin","seq":0,"action":{"type":"rm -rf"}}');
    await writeFile(journal, lines.join('\n'));
    const e = await rollbackRun(f.writer('node02'), paths, o.runId, 'x').then(
      () => new ClawError('TEST' as ErrorCode, 'not refused'),
      (x: unknown) => x as ClawError,
    );
    expect(e.oneLine()).toMatch(new RegExp(`^node02: ${paths.stateDir}/runs/${o.runId}/journal.jsonl: journal line 4: not a valid record`));
    expect(e.oneLine()).not.toContain('\n');
    await writeFile(journal, text);
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);
  });

  it('the lock refusal does not suggest rolling back a run whose journal fails validation', async () => {
    const w = f.writer('node02');
    const paths = (await f.plan('node02')).paths;
    const dead = { runId: '20260101T000000Z-dead', by: 'alice@laptop', pid: 1, at: '2026-01-01T00:00:00Z', purpose: 'apply' };
    await acquireLock(w, paths, dead);
    await writeFile(`${root}/root/.clawfleet/lock/holder.json`, JSON.stringify(dead)); // as written elsewhere: no host
    await mkdir(`${root}${paths.stateDir}/runs/${dead.runId}`, { recursive: true });
    await writeFile(`${root}${paths.stateDir}/runs/${dead.runId}/journal.jsonl`, '{"v":2,"t":"begin","seq":0,"action":{},"undo":{"kind":"quarantine","path":"/etc/cron.d/x","to":"/tmp/y"}}\n{}\n');
    const r = await applyNode(w, await f.plan('node02'), opts());
    expect(r.status).toBe('failed');
    expect(r.error).toContain(`clawfleet unlock --run ${dead.runId} --limit node02`);
    expect(r.error).not.toContain('clawfleet rollback');
    expect(r.error).toMatch(/its journal cannot be used for a rollback \(.*journal line 1: not a valid record/);
  });

  it('a well-formed journal naming a path clawfleet could not have planned is refused by rollback and by the lock refusal', async () => {
    const w = f.writer('node02');
    const planned = layoutFor(f.baseline, f.node('node02'), '/root');
    const o = opts();
    const r = await applyNode(w, await f.plan('node02'), o);
    expect(r.status, r.error).toBe('changed');
    const paths = (await f.plan('node02')).paths;
    const journal = `${paths.stateDir}/runs/${o.runId}/journal.jsonl`;
    const text = await readFile(`${root}${journal}`, 'utf8');
    // forged by the gateway user: schema-valid, but the config undo now names /etc/cron.d
    const forged = text
      .split('\n')
      .map((l) => {
        if (!l.includes('"kind":"merge-config"')) return l;
        const rec = JSON.parse(l) as { undo: { path: string } };
        rec.undo.path = '/etc/cron.d/clawfleet';
        return JSON.stringify(rec);
      })
      .join('\n');
    expect(forged).not.toBe(text);
    await writeFile(`${root}${journal}`, forged);
    const before = await snapshotTree(root, { exclude: /^$/ });
    const e = await rollbackRun(w, paths, o.runId, 'x', { planned }).then(
      () => new ClawError('TEST' as ErrorCode, 'not refused'),
      (x: unknown) => x as ClawError,
    );
    expect(e.oneLine()).toMatch(new RegExp(`^node02: ${journal}: it names /etc/cron.d/clawfleet that clawfleet could not have planned for this node \\(not the config file of this node\\); refusing to use this journal$`));
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);
    // the lock a dead holder of that run left: the refusal must not suggest rolling it back
    const dead = { runId: o.runId, by: 'alice@laptop', pid: 1, at: '2026-01-01T00:00:00Z', purpose: 'apply' };
    await acquireLock(w, paths, dead);
    await writeFile(`${root}/root/.clawfleet/lock/holder.json`, JSON.stringify(dead));
    const other = { runId: newRunId(), by: 'b@c', pid: process.pid, at: new Date().toISOString(), purpose: 'apply' };
    const refusal = async () => (await acquireLock(w, paths, other, { planned }).then(() => 'not refused', (x: unknown) => (x as ClawError).oneLine()));
    const msg = await refusal();
    expect(msg).toContain(`clawfleet unlock --run ${o.runId} --limit node02`);
    expect(msg).not.toContain('clawfleet rollback');
    expect(msg).toMatch(/its journal cannot be used for a rollback \(.*could not have planned/);
    // the genuine journal is accepted against the same layout
    await writeFile(`${root}${journal}`, text);
    expect(await refusal()).toContain(`clawfleet rollback ${o.runId} --limit node02`);
  });

  it('one lock per node whatever the data root; a live holder cannot be unlocked; a dead one can', async () => {
    const w = f.writer('node02');
    const paths = (await f.plan('node02')).paths;
    const other = { ...paths, dataRoot: '/srv/other-data', stateDir: '/srv/other-data/.clawfleet' };
    const runId = newRunId();
    await acquireLock(w, paths, { runId, by: 'a@b', pid: process.pid, at: new Date().toISOString(), purpose: 'apply' });
    await expect(acquireLock(w, other, { runId: newRunId(), by: 'c@d', pid: process.pid, at: new Date().toISOString(), purpose: 'apply' })).rejects.toThrow(
      new RegExp(`locked by run ${runId}`),
    );
    // held by a run of this very process: alive
    await expect(breakLock(w, runId)).rejects.toThrow(/is alive \(this very process holds it\): refusing to unlock/);
    await releaseLock(w, runId);
    // a holder on this machine whose process is gone: dead
    const gone = { runId: newRunId(), by: 'x@y', pid: 2 ** 22 + 7, at: new Date().toISOString(), purpose: 'apply' };
    await acquireLock(w, paths, gone);
    expect(await breakLock(w, gone.runId)).toMatchObject({ runId: gone.runId });
    expect(existsSync(`${root}/root/.clawfleet/lock`)).toBe(false);
  });

  it('rollback of a run killed right after its first journal line releases its lock and succeeds', async () => {
    const plan = await f.plan('node02');
    const o = opts();
    // the client "dies" right after the first journal record: every later call fails
    const w = dyingWriter(f.writer('node02'));
    const r = await applyNode(w, plan, o);
    expect(r.status).toBe('failed');
    expect(existsSync(`${root}/root/.clawfleet/lock`)).toBe(true);
    const rb = await rollbackRun(f.writer('node02'), plan.paths, o.runId, 'x');
    expect(rb).toMatchObject({ status: 'nothing-to-undo', releasedLock: true });
    expect(existsSync(`${root}/root/.clawfleet/lock`)).toBe(false);
  });
});

const MUTATING = new Set(['mkdir', 'symlink', 'writeFileAtomic', 'writeFileExclusive', 'appendFile', 'rename', 'replace', 'copyTree', 'copyEntries', 'adoptEntries', 'dropCopy', 'rmdir', 'unlink', 'writeHeartbeat']);

/** A writer whose connection is gone once the first journal record is written: every later write fails. */
function dyingWriter(inner: NodeWriter): NodeWriter {
  let journaled = false;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        if (journaled && MUTATING.has(String(prop))) throw new Error('connection lost');
        const r = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (prop === 'appendFile') journaled = true;
        return r;
      };
    },
  });
}
