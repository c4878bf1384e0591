// Shared by the kill-point suites (kill-points.test.ts: SIGKILL at node02's write boundaries;
// kill-points-inside.test.ts: inside the long steps, cut connections, the whole fleet): each file starts its
// own fleet (useKillPointFleet, on its own addresses) so that the two run side by side. What a point does and
// which points run by default: see kill-points.test.ts.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { quarantineLine } from '../../src/demo/demo-fleet.js';
import { SCENARIO, type ScenarioNode } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import type { Inventory, NodeSpec } from '../../src/domain/inventory.js';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { breakLock } from '../../src/executor/lock.js';
import { gatherFacts } from '../../src/facts/gather.js';
import type { Baseline } from '../../src/inventory/baseline-schema.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { planNode } from '../../src/planner/plan-node.js';
import { openNode } from '../../src/transport/open-node.js';
import type { NodeWriter } from '../../src/transport/types.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';
import { bytesIn, bytesLost, cli, differences, snapshotAll, type Cli, type Entry } from './support.js';

export const REFERENCE = SCENARIO.map((n) => n.name);
/** The node's one lock: in the login user's (root's) home, whatever the data root. */
const LOCK = '/root/.clawfleet/lock';
export const CLONES = ['node02', 'node02b', 'node02c'];
const scenarioOf = (name: string): ScenarioNode => ({ ...SCENARIO.find((n) => n.name === name.replace(/[bc]$/, ''))!, name });

let fleet: Fleet;
let inv: string;
let inventory: Inventory;
let baseline: Baseline;
export const stats = {
  node02Points: 0,
  /** of which run by default (coveringPoints) */
  node02Covering: 0,
  killAtWrite: 0,
  killAfterLast: 0,
  killInside: 0,
  /** in-write points that fired while the call was still running (not already done) */
  hitWhileUnderWay: 0,
  cutAtWrite: 0,
  cutInside: 0,
  fleetKills: 0,
  fleetCuts: 0,
  recoveries: 0,
  staleLocks: 0,
  unlocksFromMessage: 0,
  bytesChecked: 0,
  bytesLost: 0,
};
const t0 = performance.now();

/** node02's media gets a big inbound dir, so copying it (cp -a over exec) takes long enough to be interrupted. */
async function bigData(root: string): Promise<void> {
  const dir = `${root}/root/.openclaw/media/inbound/batch`;
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < 100; i++) await writeFile(`${dir}/img-${String(i).padStart(4, '0')}.jpg`, `\xff\xd8\xff ${i} `.repeat(40 + i));
  const big = Buffer.alloc(3 << 20);
  for (let i = 0; i < big.length; i += 4) big.writeUInt32LE((i * 2654435761) >>> 0, i);
  await writeFile(`${root}/root/.openclaw/media/inbound/video-0001.mp4`, big);
  await chmod(`${root}/root/.openclaw/media/inbound/video-0001.mp4`, 0o640);
}

/** Puts a node back into its reference-scenario state (everything, clawfleet's state dirs included). */
async function reset(name: string): Promise<void> {
  const root = fleet.node(name).hostRoot;
  for (const sub of ['root', 'openclaw-data']) for (const e of await readdir(`${root}/${sub}`)) await rm(`${root}/${sub}/${e}`, { recursive: true, force: true });
  await seedNode(root, scenarioOf(name), (p) => p);
  if (name.startsWith('node02')) await bigData(root);
}

const roots = (names: string[]) => Object.fromEntries(names.flatMap((n) => ['root', 'openclaw-data'].map((sub) => [`${n}/${sub}`, `${fleet.node(n).hostRoot}/${sub}`])));
const base = () => ['-i', inv, '--known-hosts', fleet.knownHosts];
const limit = (names: string[]) => ['--limit', names.join(',')];

/** The mutating calls of a clean apply of `names`, per node, in order ("copyTree /openclaw-data/…"). */
export async function writePoints(names: string[], journals: Record<string, string> = {}): Promise<Record<string, string[]>> {
  const r = await cli(['apply', '-y', ...base(), ...limit(names)], { CLAWFLEET_FAILPOINT: 'count' });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const line = r.stderr.split('\n').find((l) => l.startsWith('clawfleet-failpoints '))!;
  const all = JSON.parse(line.slice('clawfleet-failpoints '.length)) as Record<string, string[]>;
  // the run's journal, read before the reset: what labels each call with its action (coveringPoints)
  for (const n of names) {
    const j = all[n]?.find((c) => c.startsWith('appendFile '))?.slice('appendFile '.length);
    if (j) journals[n] = readFileSync(fleet.hostPath(n, j), 'utf8');
  }
  for (const n of names) await reset(n);
  return all;
}

/**
 * The default kill points (KILL_POINTS unset): a covering subset of node02's calls. node02's 25 actions are
 * 14 ensure-dir, 10 link and 1 merge-config, and the actions of one type repeat the same calls on other paths.
 * Kept: the first and the last call; every distinct (action type, call kind, journal record) triple (the calls
 * before the first action and after the last count as actions "start" and "end"); every call of the actions that
 * occur once (start, merge-config, end) and of the first action of each type, boundaries included; and every
 * call of the link action that moves the big media dir (the copy long enough to be interrupted while `cp -a`
 * runs). The boundaries of the repeated ensure-dir and link actions are left to the signal suite
 * (test/ssh/signals.test.ts: SIGINT and SIGTERM at every action boundary of every scenario node) and to the
 * injected faults at every write (executor-local.test.ts); KILL_POINTS=all runs them here too. A call's action
 * comes from the journal: the nth append of the run wrote its nth record. Returns 1-based point numbers,
 * ascending.
 */
function coveringPoints(calls: string[], journal: string): number[] {
  const records = journal
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { t: string; action?: { type: string; id: string } });
  const journalPath = calls.find((c) => c.startsWith('appendFile '))!;
  const labels: string[] = [];
  const ids: string[] = [];
  let act = 'start';
  let id = 'start';
  let r = 0;
  const keep = new Set<number>([1, calls.length]);
  for (const [i, c] of calls.entries()) {
    const k = i + 1;
    if (c === journalPath) {
      const rec = records[r++];
      expect(rec, `call ${k} appends a journal record the journal does not hold`).toBeDefined();
      if (rec!.t === 'begin') [act, id] = [rec!.action!.type, rec!.action!.id];
      if (rec!.t === 'end') [act, id] = ['end', 'end'];
      if (rec!.t === 'run' || rec!.t === 'end') keep.add(k);
      labels.push(`${act} ${c.split(' ')[0]}:${rec!.t}`);
    } else labels.push(`${act} ${c.split(' ')[0]}`);
    ids.push(id);
  }
  expect(r, 'every journal record was appended by a counted call').toBe(records.length);
  const seen = new Set<string>();
  const once = new Set(['start', 'merge-config', 'end']);
  const media = ids[calls.findIndex((c) => /^symlink \S*\/media$/.test(c))];
  expect(media, 'node02 links its media dir').toBeDefined();
  const firstOfType = new Map<string, string>();
  for (const [i, l] of labels.entries()) {
    const type = l.split(' ')[0]!;
    if (!firstOfType.has(type)) firstOfType.set(type, ids[i]!);
    if (!seen.has(l)) keep.add(i + 1);
    seen.add(l);
    if (once.has(type) || ids[i] === media || ids[i] === firstOfType.get(type)) keep.add(i + 1);
  }
  return [...keep].sort((a, b) => a - b);
}

/** Each node's tree after a clean apply (clawfleet's state dirs aside): what "converged" means, byte for byte. */
const converged = new Map<string, Map<string, Entry>>();

/**
 * One kill point: apply with the failpoint, recover as a user would (fresh processes, nothing but the
 * nodes), check every byte and convergence, reset the nodes. `thorough`: learn the unlock command from the
 * refusal (else from the lock's holder file), and confirm convergence with `plan` too.
 */
export async function killAndRecover(names: string[], failpoint: string, thorough: boolean): Promise<void> {
  try {
    await killAndCheck(names, failpoint, thorough);
    stats.recoveries++;
  } finally {
    for (const n of names) await reset(n);
  }
}

async function killAndCheck(names: string[], failpoint: string, thorough: boolean): Promise<void> {
  const before = await snapshotAll(roots(names));
  const apply = await cli(['apply', '-y', ...base(), ...limit(names)], { CLAWFLEET_FAILPOINT: failpoint });
  const what = `${failpoint}: ${apply.stderr.split('\n').find((l) => l.startsWith('clawfleet-failpoint:')) ?? '(not reached)'}`;
  if (what.includes('under way')) stats.hitWhileUnderWay++;
  expect(apply.stderr, `${what}\n${apply.stdout}${apply.stderr}`).toContain('clawfleet-failpoint: ');
  if (/(^|:)kill-/.test(failpoint)) expect(apply.signal, what).toBe('SIGKILL');
  else {
    // Cut: the client lives on, says which node failed, exits 1, and does not hang.
    expect(apply.signal, `${what}\n${apply.stdout}${apply.stderr}`).toBeNull();
    expect(apply.code, what).toBe(1);
    expect(apply.stdout + apply.stderr, what).not.toMatch(/\n\s+at /);
    expect(apply.stdout, what).toMatch(new RegExp(`^(failed|FAILED|changed) +${failpoint.split(':')[0]}: `, 'm'));
  }
  // The run, as a user finds it: on the nodes (`clawfleet runs`).
  const runIds = new Set<string>();
  for (const n of names) {
    const dir = fleet.hostPath(n, '/openclaw-data/.clawfleet/runs');
    if (existsSync(dir)) for (const r of await readdir(dir)) runIds.add(r);
  }
  expect(runIds.size, what).toBeLessThanOrEqual(1);
  const runId = [...runIds][0];
  const locked = names.filter((n) => existsSync(fleet.hostPath(n, LOCK)));
  stats.staleLocks += locked.length;
  // (Thorough points learn the unlock command from the refusal below; the others release it in-process.)
  if (!thorough) for (const n of locked) await inProcess(n, async (w) => void (await breakLock(w, holderRun(n))));
  if (runId) {
    const rb = await withUnlock(['rollback', runId, '-y', ...base(), ...limit(names)], what);
    expect(rb.code, `${what}\n${rb.stdout}${rb.stderr}`).toBe(0);
  }
  const after = await snapshotAll(roots(names));
  const lost = bytesLost(before, after);
  stats.bytesLost += lost;
  stats.bytesChecked += bytesIn(before);
  expect(differences(before, after), what).toEqual([]);
  expect(lost, what).toBe(0);
  // A fresh apply converges: byte for byte what a clean apply makes, and a re-plan is empty.
  if (thorough) {
    const again = await withUnlock(['apply', '-y', ...base(), ...limit(names)], what);
    expect(again.code, `${what}\n${again.stdout}${again.stderr}`).toBe(0);
    const plan = await cli(['plan', ...base(), ...limit(names)]);
    expect(plan.code, `${what}\n${plan.stdout}`).toBe(0);
  } else {
    for (const n of names) {
      await inProcess(n, async (w, spec) => {
        const r = await applyNode(w, await planOf(w, spec), { runId: newRunId(), by: 'kill-test@vitest', baseline: 'openclaw-classic' });
        expect(r.status, `${what}: ${r.error ?? ''}`).toBe('changed');
        expect((await planOf(w, spec)).actions, what).toEqual([]);
      });
    }
  }
  for (const n of names) expect(existsSync(fleet.hostPath(n, LOCK)), `${what}: ${n} still locked`).toBe(false);
  expect(differences(convergedOf(names), await snapshotAll(roots(names))), `${what}: not converged`).toEqual([]);
}

/** Work on one node in this process (a fresh connection; used where no fresh process is called for). */
async function inProcess(name: string, fn: (w: NodeWriter, spec: NodeSpec) => Promise<void>): Promise<void> {
  const spec = inventory.nodes.find((n) => n.name === name)!;
  const w = await openNode(spec, { knownHostsFiles: [fleet.knownHosts] });
  try {
    await fn(w, spec);
  } finally {
    await w.close();
  }
}

async function planOf(w: NodeWriter, spec: NodeSpec) {
  const { facts, layout } = await gatherFacts(w, spec, baseline);
  return planNode({ baseline, node: spec, facts, layout });
}

/** The run id in a node's lock (what the refusal names), or "unknown" when the holder file is torn/missing. */
function holderRun(name: string): string {
  try {
    return /"runId":"([^"]+)"/.exec(readFileSync(fleet.hostPath(name, `${LOCK}/holder.json`), 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function convergedOf(names: string[]): Map<string, Entry> {
  return new Map(names.flatMap((n) => [...converged.get(n)!]));
}

/**
 * Runs a command as a user would after a crash: when a node refuses because a dead run holds its lock, run
 * the `clawfleet unlock …` the refusal names (one per locked node), then the command again.
 */
async function withUnlock(args: string[], what: string): Promise<Cli> {
  const r = await cli(args);
  if (r.code === 0) return r;
  const out = r.stdout + r.stderr;
  const unlocks = [...out.matchAll(/clawfleet (unlock --run \S+ --limit [^\s,]+)/g)].map((m) => m[1]!);
  expect(unlocks.length, `${what}: ${args[0]} failed without naming a lock to release\n${out}`).toBeGreaterThan(0);
  expect(out, what).toMatch(/locked by (run \d{8}T\d{6}Z-[0-9a-f]{4} by \S+ since|an unknown holder)/);
  for (const u of unlocks) {
    const ur = await cli([...u.split(' '), ...base()]);
    expect(ur.code, `${what}\n${ur.stdout}${ur.stderr}`).toBe(0);
  }
  stats.unlocksFromMessage += unlocks.length;
  return cli(args);
}

/** Runs node02 kill points on the three clones at once (every 5th thoroughly). */
export async function onClones(failpoints: string[], count: (fp: string) => void): Promise<void> {
  const queue = failpoints.map((fp, i) => ({ fp, thorough: i % 5 === 0 }));
  let failed = false;
  // allSettled: after a failure the other clones finish the point they are on (nothing left running behind
  // the next test) and start no other; then a failure is reported.
  const settled = await Promise.allSettled(
    CLONES.map(async (clone) => {
      for (let job = queue.shift(); job && !failed; job = queue.shift()) {
        try {
          await killAndRecover([clone], job.fp.replace(/^node02:/, `${clone}:`), job.thorough);
        } catch (e) {
          failed = true;
          throw e;
        }
        count(job.fp);
      }
    }),
  );
  const first = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (first) throw first.reason;
}

/** KILL_POINTS=all: every node02 point; KILL_POINTS=3,17,…: only those; unset: the covering subset. */
const ALL = process.env.KILL_POINTS === 'all';
const only = process.env.KILL_POINTS && !ALL ? new Set(process.env.KILL_POINTS.split(',').map(Number)) : null;
export const pick = (ks: number[]) => (only ? ks.filter((k) => only.has(k)) : ks);
let points: string[] = [];
/** node02's mutating calls in a clean apply, in order ("copyTree /openclaw-data/…"); point k is the kth. */
export const node02Points = (): string[] => points;
/** node02's points run by default (all of them with KILL_POINTS=all) */
let covering: Set<number>;
export const node02Pick = (ks: number[]) => pick(ALL || only ? ks : ks.filter((k) => covering.has(k)));

/**
 * Starts `names` (node02's clones, and the reference nodes where the file needs them) on loopback addresses
 * from `firstOctet` up, seeds them, learns node02's points (count) and what a clean apply makes of each node.
 */
export function useKillPointFleet(names: string[], firstOctet: number, label: string): void {
  beforeAll(async () => {
    fleet = await startFleet({ names, firstOctet });
    for (const n of names) await reset(n);
    const nodes = names.map((n) => `  ${n}:\n    host: ${fleet.node(n).host}\n    agents: [${scenarioOf(n).agents.join(', ')}]\n${quarantineLine(scenarioOf(n))}`).join('');
    inv = join(fleet.dir, 'inventory.yaml');
    await writeFile(inv, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\nnodes:\n${nodes}`);
    inventory = await loadInventory(inv);
    baseline = (await loadBaseline('openclaw-classic', [BUILTIN_PLANS])).baseline;
    const journals: Record<string, string> = {};
    points = (await writePoints(['node02'], journals)).node02!;
    stats.node02Points = points.length;
    covering = new Set(coveringPoints(points, journals.node02!));
    stats.node02Covering = covering.size;
    // what a clean apply makes of each node
    const clean = await cli(['apply', '-y', ...base()]);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    for (const n of names) {
      converged.set(n, await snapshotAll(roots([n])));
      await reset(n);
    }
  }, 180_000);

  afterAll(async () => {
    await fleet?.stop();
    // eslint-disable-next-line no-console
    console.log(`${label}: ${JSON.stringify({ ...stats, seconds: Math.round((performance.now() - t0) / 1000) })}`);
  });
}
