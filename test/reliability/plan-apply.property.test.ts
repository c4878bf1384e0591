// Plan ≡ apply, as a property over generated node states on the local transport (the shipped classic
// baseline; trees on tmpfs when there is one). For every state:
//   - apply changes only paths the plan's actions name (the action's path and what is under it, the entries a
//     link copies into its target; clawfleet's own .clawfleet dirs aside), and every planned path does change;
//   - a re-plan after apply is empty; auth-profiles.json files stay where and as they were (or move whole
//     into the quarantine with their orphan);
//   - a plan with an error changes nothing at all, not even clawfleet's state dirs.
// The mutation variant: change the node under k planned actions between plan and apply: exactly those k are
// refused as "changed since plan", every other one is done.
// And faults: a write that fails once (apply rolls itself back), or a writer that dies at write k (a crash:
// `rollback` from a fresh writer): either way the node ends byte-identical, clawfleet's state dirs aside.
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Action } from '../../src/domain/actions.js';
import type { NodeSpec } from '../../src/domain/inventory.js';
import { nodeHasErrors, type NodePlan } from '../../src/domain/plan.js';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { breakLock } from '../../src/executor/lock.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { gatherFacts } from '../../src/facts/gather.js';
import type { Baseline } from '../../src/inventory/baseline-schema.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { planNode } from '../../src/planner/plan-node.js';
import { LocalNode } from '../../src/transport/local.js';
import type { NodeWriter } from '../../src/transport/types.js';
import { differences, snapshot, type Entry } from './support.js';

const RUNS_PLAIN = 700;
const RUNS_MUTATED = 300;
const RUNS_FAULT = 300;
const OC = '/root/.openclaw';
const DATA = '/openclaw-data';
const STATE = /(^|\/)\.clawfleet(\/|$)/;

// ---------------------------------------------------------------- generated node states

type EntrySpec = { name: 'a.jsonl' | 'b.md' | 'sub'; content: 0 | 1; inTarget: 'absent' | 'same' | 'different' };
type Slot =
  | { kind: 'missing'; target: boolean }
  | { kind: 'link-ok'; target: boolean }
  | { kind: 'link-wrong'; to: 'elsewhere' | 'relative'; target: boolean }
  | { kind: 'dir'; entries: EntrySpec[]; target: boolean };
type SectionName = 'memorySearch' | 'media' | 'logging' | 'browser';
type Config = { kind: 'missing' } | { kind: 'invalid' } | { kind: 'text'; sections: SectionName[]; comments: boolean; version: boolean; partial: boolean };
interface State {
  dataRoot: boolean;
  agents: { id: 'alpha' | 'beta'; present: boolean; slots: Slot[] }[];
  globals: Slot[];
  config: Config;
  orphans: { id: 'orphan1' | 'main'; creds: boolean }[];
}

const entryArb: fc.Arbitrary<EntrySpec> = fc.record({
  name: fc.constantFrom('a.jsonl', 'b.md', 'sub'),
  content: fc.constantFrom(0, 1),
  // "different" makes a name clash (a plan error): keep it rare, so most states get applied.
  inTarget: fc.oneof({ weight: 6, arbitrary: fc.constant('absent' as const) }, { weight: 3, arbitrary: fc.constant('same' as const) }, { weight: 1, arbitrary: fc.constant('different' as const) }),
});
const slotArb: fc.Arbitrary<Slot> = fc.oneof(
  fc.record({ kind: fc.constant('missing' as const), target: fc.boolean() }),
  fc.record({ kind: fc.constant('link-ok' as const), target: fc.boolean() }),
  fc.record({ kind: fc.constant('link-wrong' as const), to: fc.constantFrom('elsewhere' as const, 'relative' as const), target: fc.boolean() }),
  fc.record({ kind: fc.constant('dir' as const), entries: fc.uniqueArray(entryArb, { maxLength: 3, selector: (e) => e.name }), target: fc.boolean() }),
);
const configArb: fc.Arbitrary<Config> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ kind: 'missing' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'invalid' as const }) },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('text' as const),
      sections: fc.subarray<SectionName>(['memorySearch', 'media', 'logging', 'browser']),
      comments: fc.boolean(),
      version: fc.boolean(),
      partial: fc.boolean(),
    }),
  },
);
const stateArb: fc.Arbitrary<State> = fc.record({
  dataRoot: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  agents: fc.uniqueArray(
    fc.record({ id: fc.constantFrom('alpha' as const, 'beta' as const), present: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), slots: fc.tuple(slotArb, slotArb) }),
    { minLength: 1, maxLength: 2, selector: (a) => a.id },
  ),
  globals: fc.tuple(slotArb, slotArb, slotArb, slotArb),
  config: configArb,
  orphans: fc.uniqueArray(fc.record({ id: fc.constantFrom('orphan1' as const, 'main' as const), creds: fc.boolean() }), { maxLength: 2, selector: (o) => o.id }),
});

const SECTION_TEXT: Record<SectionName, [string, string]> = {
  // [full, partial]: partial values leave keys for the merge to add
  memorySearch: ['agents: { defaults: { memorySearch: { enabled: false } } },', 'agents: { defaults: { model: { primary: "x" } } },'],
  media: ['tools: { media: { concurrency: 4, image: { enabled: true }, audio: { enabled: true }, video: { enabled: true } } },', 'tools: { profile: "coding", media: { concurrency: 3 } },'],
  logging: ['logging: { level: "debug", file: "/var/log/oc.log", maxFileBytes: 1, consoleLevel: "info", consoleStyle: "compact" },', 'logging: { level: "warn" },'],
  browser: ['browser: { enabled: false, headless: true, noSandbox: false, defaultProfile: "x" },', 'browser: { enabled: false },'],
};

function configText(c: Extract<Config, { kind: 'text' }>): string {
  const lines = [c.comments ? '// hand-edited, keep me' : null, '{'];
  if (c.version) lines.push('  meta: { lastTouchedVersion: "2026.5.28" },');
  for (const s of c.sections) lines.push('  ' + SECTION_TEXT[s][c.partial ? 1 : 0] + (c.comments ? ' // mine' : ''));
  lines.push('}', '');
  return lines.filter((l) => l !== null).join('\n');
}

/** Writes a state under `root` (standing in for the node's "/"). Symlinks to node paths are written mapped, as LocalNode does. */
async function build(root: string, s: State): Promise<void> {
  const file = async (p: string, text: string, mode = 0o644) => {
    await mkdir(dirname(root + p), { recursive: true });
    await writeFile(root + p, text, { mode });
  };
  const dir = (p: string) => mkdir(root + p, { recursive: true });
  await dir(OC);
  await chmod(root + '/root', 0o700);
  if (s.dataRoot) await dir(DATA);
  const slot = async (path: string, target: string, sl: Slot, seed: string) => {
    const wantTarget = s.dataRoot && (sl.target || (sl.kind === 'dir' && sl.entries.some((e) => e.inTarget !== 'absent')));
    if (wantTarget) await dir(target);
    if (sl.kind === 'link-ok') await symlink(target, root + path);
    else if (sl.kind === 'link-wrong') await symlink(sl.to === 'relative' ? 'nowhere' : `${DATA}/elsewhere/${seed}`, root + path);
    else if (sl.kind === 'dir') {
      await dir(path);
      for (const e of sl.entries) {
        const text = (v: number) => `${seed}/${e.name}: ${v}\n`;
        const put = async (base: string, v: number) => (e.name === 'sub' ? file(`${base}/sub/x.txt`, text(v)) : file(`${base}/${e.name}`, text(v), 0o600));
        await put(path, e.content);
        if (wantTarget && e.inTarget !== 'absent') await put(target, e.inTarget === 'same' ? e.content : e.content + 7);
      }
    }
  };
  const globals = ['memory', 'media', 'logs', 'browser'];
  for (const [i, g] of globals.entries()) await slot(`${OC}/${g}`, `${DATA}/${g}`, s.globals[i]!, g);
  for (const a of s.agents) {
    if (!a.present) continue;
    await file(`${OC}/agents/${a.id}/agent/auth-profiles.json`, `{"key":"sk-ant-api03-PROPERTY-${a.id}"}\n`, 0o600);
    for (const [i, name] of ['sessions', 'memory'].entries()) await slot(`${OC}/agents/${a.id}/${name}`, `${DATA}/agents/${a.id}/${name}`, a.slots[i]!, `${a.id}-${name}`);
  }
  for (const o of s.orphans) {
    await file(`${OC}/agents/${o.id}/agent/models.json`, '{}\n', 0o600);
    if (o.creds) await file(`${OC}/agents/${o.id}/agent/auth-profiles.json`, `{"key":"sk-ant-api03-PROPERTY-${o.id}"}\n`, 0o600);
  }
  if (s.config.kind === 'invalid') await file(`${OC}/openclaw.json`, '{ meta: \n', 0o600);
  else if (s.config.kind === 'text') await file(`${OC}/openclaw.json`, configText(s.config), 0o600);
}

// ---------------------------------------------------------------- plan, apply, compare

let baseline: Baseline;
let scratch: string;
let counter = 0;
const figures = { plain: 0, mutated: 0, faults: 0, applied: 0, planErrors: 0, actions: 0, refusedAsPlanned: 0, ms: 0 };

function specFor(root: string, s: State): NodeSpec {
  return {
    name: 'prop',
    transport: 'local',
    host: 'prop',
    root,
    home: '/root',
    dataRoot: DATA,
    openclawHome: '~/.openclaw',
    baseline: baseline.name,
    agents: s.agents.map((a) => a.id),
    keepAgents: [],
    quarantineAgents: ['orphan1', 'main'], // the operator decided: credential-holding orphans go too
    overrides: {},
    groups: [],
  };
}

async function planFor(w: LocalNode, spec: NodeSpec): Promise<NodePlan> {
  const { facts, layout } = await gatherFacts(w, spec, baseline);
  return planNode({ baseline, node: spec, facts, layout });
}

/** Node paths (snapshot keys are relative to the root) an action may change: its path and below, and for a link the copied entries. */
function allowedBy(a: Action): ((p: string) => boolean)[] {
  const under = (base: string) => (p: string) => p === base || p.startsWith(base + '/');
  const out = [under(a.path)];
  if (a.type === 'link') for (const c of a.copy) out.push(under(`${a.target}/${c}`));
  return out;
}

const nodePath = (key: string) => '/' + key;

async function withNode<T>(s: State, fn: (root: string, w: LocalNode, spec: NodeSpec) => Promise<T>): Promise<T> {
  const root = join(scratch, String(counter++));
  await mkdir(root);
  try {
    await build(root, s);
    const spec = specFor(root, s);
    return await fn(root, new LocalNode({ node: spec.name, root, home: '/root' }), spec);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const opts = () => ({ runId: newRunId(), by: 'property@vitest', baseline: 'openclaw-classic' });

function changedKeys(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const keys = new Set<string>();
  for (const [k, v] of before) if (after.get(k)?.sig !== v.sig) keys.add(k);
  for (const k of after.keys()) if (!before.has(k)) keys.add(k);
  return [...keys].filter((k) => !STATE.test(k)).sort();
}

async function planEqualsApply(s: State): Promise<void> {
  await withNode(s, async (root, w, spec) => {
    const plan = await planFor(w, spec);
    const before = await snapshot(root, /^$/);
    const r = await applyNode(w, plan, opts());
    const after = await snapshot(root, /^$/);
    figures.plain++;
    if (nodeHasErrors(plan)) {
      figures.planErrors++;
      expect(r.status).toBe('refused');
      expect(differences(before, after), 'a plan with errors changed the node').toEqual([]);
      return;
    }
    expect(r.status, `${r.error ?? ''} ${r.rollbackError ?? ''}`).toBe(plan.actions.length ? 'changed' : 'unchanged');
    figures.applied++;
    figures.actions += plan.actions.length;
    // Only what the plan named changed…
    const allowed = plan.actions.flatMap(allowedBy);
    const dataRootMade = !s.dataRoot ? [(p: string) => p === DATA] : []; // created with the journal, by design
    const stray = changedKeys(before, after).filter((k) => ![...allowed, ...dataRootMade].some((ok) => ok(nodePath(k))));
    expect(stray, `changed but not planned (${plan.actions.map((a) => a.id).join(', ')})`).toEqual([]);
    // …and everything it named did change.
    for (const a of plan.actions) expect(after.get(a.path.slice(1))?.sig, `${a.id} did not change its path`).not.toBe(before.get(a.path.slice(1))?.sig);
    // Credentials: never written, only moved whole with their quarantined orphan.
    for (const [k, v] of before) {
      if (!k.endsWith('auth-profiles.json')) continue;
      const q = plan.actions.find((a) => a.type === 'quarantine' && nodePath(k).startsWith(a.path + '/'));
      if (q) expect([...after].some(([k2, v2]) => STATE.test(k2) && k2.endsWith(k.slice(q.path.length)) && v2.sig === v.sig), k).toBe(true);
      else expect(after.get(k)?.sig, k).toBe(v.sig);
    }
    // Converged: a re-plan is empty.
    expect((await planFor(w, spec)).actions.map((a) => a.id)).toEqual([]);
  });
}

/** Changes the node under one planned action so that its expected fact no longer holds, and nothing else's. */
async function mutate(root: string, a: Action): Promise<void> {
  const p = root + a.path;
  switch (a.expect.kind) {
    case 'missing':
      if (a.type === 'ensure-dir') return void (await mkdir(p, { mode: 0o700 }));
      if (a.type === 'merge-config') return writeFile(p, '{}\n', { mode: 0o600 });
      return symlink('somewhere-else', p);
    case 'symlink':
      await rm(p);
      return symlink('another-wrong-target', p);
    case 'dir':
      return writeFile(`${p}/zz-appeared-after-plan.txt`, 'new\n');
    case 'file':
      return appendFile(p, '// edited after plan\n');
  }
}

/** Actions that can be mutated alone: an ensure-dir whose parent is itself still to be made cannot. */
function mutable(root: string, plan: NodePlan): Action[] {
  return plan.actions.filter((a) => a.type !== 'ensure-dir' || existsSync(root + dirname(a.path)));
}

async function refusedExactly(s: State, picks: number[]): Promise<void> {
  await withNode(s, async (root, w, spec) => {
    const plan = await planFor(w, spec);
    const candidates = mutable(root, plan);
    if (nodeHasErrors(plan) || candidates.length === 0) return;
    const chosen = [...new Set(picks.map((i) => candidates[i % candidates.length]!))];
    for (const a of chosen) await mutate(root, a);
    const r = await applyNode(w, plan, opts());
    figures.mutated++;
    const refused = r.actions.filter((x) => x.status === 'refused');
    expect(refused.map((x) => x.id).sort(), r.error).toEqual(chosen.map((a) => a.id).sort());
    for (const x of refused) expect(x.error).toMatch(/changed since plan/);
    expect(r.actions.filter((x) => x.status !== 'refused').every((x) => x.status === 'done'), JSON.stringify(r.actions)).toBe(true);
    expect(r.status).toBe('partial');
    figures.refusedAsPlanned += refused.length;
  });
}

// ---------------------------------------------------------------- faults at any write

const MUTATING = new Set(['mkdir', 'symlink', 'writeFileAtomic', 'writeFileExclusive', 'appendFile', 'rename', 'replace', 'copyTree', 'copyEntries', 'adoptEntries', 'dropCopy', 'rmdir', 'unlink']);

/**
 * A writer that fails its k-th mutating call: `transient` fails that one call only (apply rolls itself back);
 * else the writer is dead from then on, every call fails, like a crashed client or a cut connection.
 */
function failingWriter(inner: NodeWriter, k: number, transient: boolean): NodeWriter {
  let n = 0;
  let dead = false;
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close') return typeof v === 'function' ? v.bind(target) : v;
      return async (...args: unknown[]) => {
        if (dead) throw new Error('connection lost');
        if (MUTATING.has(String(prop)) && ++n === k) {
          if (!transient) dead = true;
          throw new Error(`injected fault at write #${n}`);
        }
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
}

/** A fault at write k: the node ends byte-identical to before — by apply's own rollback, or by `rollback` from a fresh writer. */
async function faultAnywhere(s: State, k: number, transient: boolean): Promise<void> {
  await withNode(s, async (root, w, spec) => {
    const plan = await planFor(w, spec);
    if (nodeHasErrors(plan) || plan.actions.length === 0) return;
    const before = await snapshot(root);
    const o = opts();
    const r = await applyNode(failingWriter(w, k, transient), plan, o);
    figures.faults++;
    const fresh = new LocalNode({ node: spec.name, root, home: '/root' });
    if (existsSync(`${root}/root/.clawfleet/lock`)) await breakLock(fresh, o.runId);
    if (!transient || r.status === 'changed' || r.status === 'rollback-failed') {
      if (existsSync(`${root}${plan.paths.stateDir}/runs/${o.runId}`)) await rollbackRun(fresh, plan.paths, o.runId, 'property@vitest');
    } else expect(r.status, `${r.error} ${r.rollbackError ?? ''}`).toMatch(/^(rolled-back|failed)$/);
    const after = await snapshot(root);
    const made = s.dataRoot ? [] : ['openclaw-data'];
    expect(differences(before, after).filter((d) => !made.includes(d.split(':')[0]!)), `fault at write #${k} (${transient ? 'transient' : 'crash'}): ${r.status}`).toEqual([]);
    expect(existsSync(`${root}${plan.paths.stateDir}/lock`)).toBe(false);
  });
}

beforeAll(async () => {
  baseline = (await loadBaseline('openclaw-classic', [BUILTIN_PLANS])).baseline;
  scratch = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'clawfleet-prop-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
  // eslint-disable-next-line no-console
  console.log(`plan ≡ apply: ${JSON.stringify(figures)}`);
});

describe('plan ≡ apply (fast-check, local transport)', () => {
  it(`apply changes exactly what the plan lists, and converges (${RUNS_PLAIN} node states)`, { timeout: 900_000 }, async () => {
    const t0 = performance.now();
    await fc.assert(fc.asyncProperty(stateArb, planEqualsApply), { numRuns: RUNS_PLAIN });
    figures.ms += performance.now() - t0;
    expect(figures.applied).toBeGreaterThan(RUNS_PLAIN / 2);
  });

  it(`a fault at any write, transient or fatal, ends byte-identical after rollback (${RUNS_FAULT} node states)`, { timeout: 900_000 }, async () => {
    const t0 = performance.now();
    await fc.assert(fc.asyncProperty(stateArb, fc.integer({ min: 1, max: 140 }), fc.boolean(), faultAnywhere), { numRuns: RUNS_FAULT });
    figures.ms += performance.now() - t0;
    expect(figures.faults).toBeGreaterThan(RUNS_FAULT / 2);
  });

  it(`a node changed under k planned actions gets exactly those k refused (${RUNS_MUTATED} node states)`, { timeout: 900_000 }, async () => {
    const t0 = performance.now();
    await fc.assert(fc.asyncProperty(stateArb, fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), refusedExactly), { numRuns: RUNS_MUTATED });
    figures.ms += performance.now() - t0;
    expect(figures.mutated).toBeGreaterThan(RUNS_MUTATED / 2);
  });
});
