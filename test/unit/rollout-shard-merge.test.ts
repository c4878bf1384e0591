// --shard i/N (stable slices, groups together) and `clawfleet merge` of the parts' JSON results.
import { describe, expect, it } from 'vitest';
import type { NodeSpec } from '../../src/domain/inventory.js';
import type { NodePlan, Plan } from '../../src/domain/plan.js';
import { errorMessage } from '../../src/domain/errors.js';
import { planToJson } from '../../src/plan-file/io.js';
import { driftMatrix, matrixToJson } from '../../src/render/drift-matrix.js';
import { mergeResults, type ShardDoc } from '../../src/rollout/merge.js';
import { jumpHash, parseShard, selectShard, shardOf, stableKey } from '../../src/rollout/shard.js';

const spec = (name: string, groups: string[] = []): NodeSpec =>
  ({ name, groups, transport: 'ssh', host: name, dataRoot: '/d', openclawHome: '~/.openclaw', baseline: 'b', agents: [], keepAgents: [], overrides: {} }) as NodeSpec;
const fleet = (n: number) => Array.from({ length: n }, (_, i) => spec(`node${String(i + 1).padStart(3, '0')}`));
const inv = (groups: Record<string, string[]> = {}) => ({ file: '/inv.yaml', groups });

describe('shards', () => {
  it('parses i/N and refuses anything else', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4, together: [] });
    expect(parseShard('1/1', 'db, web,db')).toEqual({ index: 1, count: 1, together: ['db', 'web'] });
    for (const bad of ['0/4', '5/4', '1/0', '1', 'a/b', '1/4/2', '-1/4', '1/5000']) expect(() => parseShard(bad)).toThrow(/^--shard must be i\/N/);
  });

  it('pins the hash: the same node lands in the same shard on every machine and in every release', () => {
    // Changing these moves nodes between CI runners: it must be a deliberate, announced change.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((i) => shardOf(spec(`node0${i}`), 4))).toEqual([4, 4, 3, 3, 2, 1, 3, 1]);
    expect(jumpHash(stableKey('node:node01'), 1000)).toBe(554);
    expect(jumpHash(0n, 10)).toBe(0);
  });

  it('every node in exactly one shard, whatever the inventory order; balanced within ±15% at 1,000 nodes', () => {
    const nodes = fleet(1000);
    const parts = [1, 2, 3, 4].map((i) => selectShard(inv(), nodes, parseShard(`${i}/4`)).map((s) => s.name));
    expect(parts.flat().sort()).toEqual(nodes.map((n) => n.name).sort());
    for (const p of parts) expect(Math.abs(p.length - 250)).toBeLessThan(38);
    const reversed = [1, 2, 3, 4].map((i) => selectShard(inv(), [...nodes].reverse(), parseShard(`${i}/4`)).map((s) => s.name).reverse());
    expect(reversed).toEqual(parts);
    // Inventory order is kept within a shard.
    expect(parts[0]).toEqual([...parts[0]!].sort());
  });

  it('one more shard moves only nodes into the new shard (jump consistent hash)', () => {
    const nodes = fleet(1000);
    const moved = nodes.filter((n) => shardOf(n, 4) !== shardOf(n, 5));
    expect(moved.every((n) => shardOf(n, 5) === 5)).toBe(true);
    expect(moved.length).toBeGreaterThan(120);
    expect(moved.length).toBeLessThan(280);
  });

  it('--shard-together keeps each named group in one shard; other nodes hash by name', () => {
    const pairA = ['node001', 'node002', 'node003'];
    const nodes = fleet(40).map((s) => (pairA.includes(s.name) ? spec(s.name, ['dbA']) : s.name === 'node004' ? spec(s.name, ['web', 'dbB']) : s));
    const split = parseShard('1/8', 'dbA,dbB');
    const where = (name: string) => [1, 2, 3, 4, 5, 6, 7, 8].find((i) => selectShard(inv({ dbA: pairA, dbB: ['node004'], web: [] }), nodes, { ...split, index: i }).some((s) => s.name === name));
    expect(new Set(pairA.map(where)).size).toBe(1);
    expect(where('node004')).toBe(shardOf(spec('x', ['dbB']), 8, ['dbB'])); // by its listed group, not by 'web'
    expect(new Set(pairA.map((n) => shardOf(spec(n), 8))).size).toBeGreaterThan(1); // without the option they would split
    expect(() => selectShard(inv({}), nodes, parseShard('1/2', 'nope'))).toThrow(/--shard-together: no group named "nope"/);
  });
});

const SHA = (c: string) => c.repeat(64);
function nodePlan(node: string, actions = 0, error = false): NodePlan {
  return {
    node,
    baseline: 'openclaw-classic',
    paths: { home: '/root', dataRoot: '/d', attic: '/a', stateDir: '/d/.clawfleet' },
    protected: [],
    actions: Array.from({ length: actions }, (_, i) => ({ id: `${node}-${i}`, type: 'ensure-dir', path: `/d/x${i}`, mode: 0o755, expect: { kind: 'missing' }, reason: 'r', items: ['memory'] })),
    diagnostics: error ? [{ severity: 'error', node, message: 'unreachable' }] : [],
  };
}
function plan(nodes: NodePlan[], shard?: Plan['shard'], inventorySha = SHA('a')): Plan {
  return { format: 'clawfleet-plan', version: 1, createdAt: '2026-12-01T10:00:00.000Z', baselines: [{ name: 'openclaw-classic', sha256: SHA('b') }], inventory: { path: '/inv.yaml', sha256: inventorySha }, nodes, ...(shard ? { shard } : {}) };
}
/** The one line a user sees (file: message). */
function fails(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return errorMessage(e);
  }
  return 'no error';
}
const doc = (file: string, text: string): ShardDoc => ({ file, text });

describe('merge', () => {
  const all = ['n1', 'n2', 'n3', 'n4', 'n5'].map((n, i) => nodePlan(n, i % 3, n === 'n4'));
  const one = plan(all);
  const parts = [
    plan([all[1]!, all[4]!], { index: 1, count: 3, together: [] }),
    plan([all[0]!], { index: 2, count: 3, together: [] }),
    plan([all[2]!, all[3]!], { index: 3, count: 3, together: [] }),
  ];
  const docs = parts.map((p, i) => doc(`p${i + 1}.json`, planToJson(p)));

  it('plans: the parts merge into the plan one run gives (inventory order), summary included', () => {
    const m = mergeResults(docs, ['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(m.kind).toBe('plan');
    if (m.kind !== 'plan') return;
    expect(planToJson(m.plan)).toBe(planToJson(one));
    expect(mergeResults([...docs].reverse(), ['n1', 'n2', 'n3', 'n4', 'n5'])).toEqual(m);
  });

  it('without an order, nodes come by name', () => {
    const m = mergeResults(docs);
    expect(m.kind === 'plan' && m.plan.nodes.map((n) => n.node)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
  });

  it('refuses a missing, doubled or foreign part, overlapping nodes and mixed kinds, naming the file', () => {
    expect(fails(() => mergeResults(docs.slice(0, 2)))).toMatch(/^shard 3\/3 missing/);
    expect(fails(() => mergeResults([docs[0]!, docs[0]!, docs[2]!]))).toMatch(/shard 1\/3 given twice \(also p1\.json\)/);
    expect(fails(() => mergeResults([...docs.slice(0, 2), doc('x.json', planToJson(plan([all[2]!, all[3]!], { index: 3, count: 3, together: [] }, SHA('c'))))]))).toMatch(/planned another inventory/);
    expect(fails(() => mergeResults([doc('a.json', planToJson(plan([all[0]!]))), doc('b.json', planToJson(plan([all[0]!])))]))).toMatch(/node n1 is in both a\.json and b\.json/);
    expect(fails(() => mergeResults([docs[0]!, doc('c.json', matrixToJson(driftMatrix(plan([all[0]!]), ['memory']), 'now'))]))).toMatch(/is a check result.*merge one kind at a time/);
    expect(fails(() => mergeResults([doc('z.json', '{"format":"clawfleet-plan"}')]))).toMatch(/z\.json.*not a clawfleet result/);
    expect(fails(() => mergeResults([doc('z.json', 'nope')]))).toMatch(/z\.json: not JSON/);
  });

  it('drift matrices: rows joined in order, flags recomputed, items the same as one run', () => {
    const items = ['memory', 'orphans'];
    const checkDoc = (p: Plan, file: string) => doc(file, matrixToJson(Object.assign({}, driftMatrix(p, items), p.shard ? { shard: p.shard } : {}), '2026-12-01T10:00:00.000Z'));
    const m = mergeResults(parts.map((p, i) => checkDoc(p, `c${i}.json`)), ['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(m.kind).toBe('check');
    if (m.kind !== 'check') return;
    expect(matrixToJson(m.matrix, m.checkedAt)).toBe(matrixToJson(driftMatrix(one, items), '2026-12-01T10:00:00.000Z'));
  });

  it('apply results: joined, every run id kept', () => {
    const res = (node: string, status: string) => ({ node, runId: `r-${node}`, status, done: 0, total: 0, actions: [] });
    const a = doc('a.json', JSON.stringify({ format: 'clawfleet-apply', version: 1, runId: 'R1', results: [res('n2', 'changed')], shard: { index: 1, count: 2, together: [] } }));
    const b = doc('b.json', JSON.stringify({ format: 'clawfleet-apply', version: 1, runId: 'R2', results: [res('n1', 'rolled-back')], shard: { index: 2, count: 2, together: [] }, rollout: { stopped: true } }));
    const m = mergeResults([a, b]);
    expect(m.kind === 'apply' && [m.runIds, m.results.map((r) => r.node), m.rollouts.length]).toEqual([['R1', 'R2'], ['n1', 'n2'], 2]);
    // A part with nothing to apply prints its plan (apply -f json): its nodes join as up to date.
    const quiet = doc('q.json', planToJson(plan([nodePlan('n3')], { index: 2, count: 2, together: [] })));
    const mixed = mergeResults([a, quiet]);
    expect(mixed.kind === 'apply' && mixed.results.map((r) => [r.node, r.status])).toEqual([['n2', 'changed'], ['n3', 'unchanged']]);
    const broken = doc('x.json', planToJson(plan([nodePlan('n3', 0, true)], { index: 2, count: 2, together: [] })));
    const m2 = mergeResults([a, broken]);
    expect(m2.kind === 'apply' && m2.results[1]).toMatchObject({ node: 'n3', status: 'refused', error: 'n3: unreachable' });
    const evil = doc('e.json', JSON.stringify({ format: 'clawfleet-apply', version: 1, runId: null, results: [res('\u001b[31mx', 'changed')] }));
    expect(fails(() => mergeResults([evil]))).toMatch(/e\.json: not a clawfleet result at results\.0\.node/);
  });
});
