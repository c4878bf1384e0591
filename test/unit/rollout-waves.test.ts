// Rollout strategy (--canary, --batch, --max-fail): parsing, wave planning, failure accounting, the wave loop.
import { describe, expect, it } from 'vitest';
import type { NodeResult } from '../../src/domain/results.js';
import { failuresAllowed, parseAmount } from '../../src/rollout/amount.js';
import { nodeOk } from '../../src/rollout/accounting.js';
import { runWaves } from '../../src/rollout/run-waves.js';
import { parseRollout, planWaves, type RolloutSpec } from '../../src/rollout/strategy.js';

const names = (n: number) => Array.from({ length: n }, (_, i) => `n${String(i + 1).padStart(2, '0')}`);
const ok = (node: string): NodeResult => ({ node, runId: 'r', status: 'changed', done: 1, total: 1, actions: [] });
const bad = (node: string): NodeResult => ({ ...ok(node), status: 'rolled-back', error: `${node}: boom` });

describe('parsing', () => {
  it('reads counts and percentages and refuses the rest with one line naming the option', () => {
    expect(parseAmount('batch', '5', 1)).toEqual({ kind: 'count', n: 5 });
    expect(parseAmount('batch', '12.5%', 1)).toEqual({ kind: 'percent', p: 12.5 });
    expect(parseAmount('max-fail', '0', 0)).toEqual({ kind: 'count', n: 0 });
    for (const [opt, text, min] of [['batch', '0', 1], ['batch', '0%', 1], ['batch', '101%', 1], ['batch', '-1', 1], ['max-fail', 'x', 0], ['batch', '1.5', 1]] as const) {
      expect(() => parseAmount(opt, text, min)).toThrow(new RegExp(`^--${opt} must be`));
    }
  });

  it('no option: no rollout; --max-fail alone is refused; defaults: no canary, max-fail 0', () => {
    expect(parseRollout({})).toBeNull();
    expect(() => parseRollout({ 'max-fail': '2' })).toThrow(/--max-fail needs --batch or --canary/);
    expect(parseRollout({ batch: '3' })).toEqual({ canary: 0, batch: { kind: 'count', n: 3 }, maxFail: { kind: 'count', n: 0 } });
    expect(parseRollout({ canary: '1' })).toEqual({ canary: 1, batch: null, maxFail: { kind: 'count', n: 0 } });
    expect(() => parseRollout({ canary: '0' })).toThrow(/--canary must be/);
  });

  it('max-fail percentages are a share of the rollout, rounded down (Ansible: stop once failures exceed it)', () => {
    expect(failuresAllowed({ kind: 'percent', p: 10 }, 20)).toBe(2);
    expect(failuresAllowed({ kind: 'percent', p: 10 }, 9)).toBe(0);
    expect(failuresAllowed({ kind: 'percent', p: 30 }, 10)).toBe(3); // 3.0000000000000004 must not round to 3 by luck only
    expect(failuresAllowed({ kind: 'count', n: 4 }, 2)).toBe(4);
  });
});

describe('planWaves', () => {
  const spec = (s: Partial<RolloutSpec>): RolloutSpec => ({ canary: 0, batch: null, maxFail: { kind: 'count', n: 0 }, ...s });

  it('canary first, then batches of N, in the given order; every node exactly once', () => {
    const w = planWaves(names(10), spec({ canary: 2, batch: { kind: 'count', n: 3 } }));
    expect(w.map((x) => [x.index, x.kind, x.nodes.length])).toEqual([[1, 'canary', 2], [2, 'batch', 3], [3, 'batch', 3], [4, 'batch', 2]]);
    expect(w.flatMap((x) => x.nodes)).toEqual(names(10));
  });

  it('a percentage batch is a share of all nodes (canary included), rounded up, at least one', () => {
    expect(planWaves(names(10), spec({ batch: { kind: 'percent', p: 25 } })).map((x) => x.nodes.length)).toEqual([3, 3, 3, 1]);
    expect(planWaves(names(3), spec({ batch: { kind: 'percent', p: 1 } })).map((x) => x.nodes.length)).toEqual([1, 1, 1]);
    expect(planWaves(names(4), spec({ canary: 1 })).map((x) => x.nodes)).toEqual([['n01'], ['n02', 'n03', 'n04']]);
  });

  it('a canary larger than the fleet is the whole fleet; no nodes, no waves', () => {
    expect(planWaves(names(2), spec({ canary: 5, batch: { kind: 'count', n: 1 } })).map((x) => x.kind)).toEqual(['canary']);
    expect(planWaves([], spec({ canary: 1 }))).toEqual([]);
  });
});

describe('runWaves', () => {
  async function run(spec: RolloutSpec, n: number, failing: string[]) {
    const started: string[][] = [];
    const log: string[] = [];
    const out = await runWaves(spec, names(n), async (w) => {
      started.push(w.nodes);
      return w.nodes.map((x) => (failing.includes(x) ? bad(x) : ok(x)));
    }, (l) => log.push(l));
    return { ...out, started, log };
  }

  it('a failed canary stops the rollout: no other node is started, and the decision says so', async () => {
    const r = await run({ canary: 1, batch: { kind: 'count', n: 2 }, maxFail: { kind: 'count', n: 5 } }, 5, ['n01']);
    expect(r.started).toEqual([['n01']]);
    expect(r.report.stopped).toBe(true);
    expect(r.report.notStarted).toEqual(['n02', 'n03', 'n04', 'n05']);
    expect(r.report.decisions).toEqual([expect.objectContaining({ wave: 1, kind: 'canary', failed: ['n01'], decision: 'stop' })]);
    expect(r.log.at(-1)).toBe('rollout: after wave 1/3: stop: canary failed on n01; stopping: 4 nodes not touched');
  });

  it('--max-fail N: goes on while failures ≤ N, stops after the wave that exceeds it', async () => {
    const r = await run({ canary: 0, batch: { kind: 'count', n: 2 }, maxFail: { kind: 'count', n: 1 } }, 8, ['n02', 'n05']);
    expect(r.started).toEqual([['n01', 'n02'], ['n03', 'n04'], ['n05', 'n06']]);
    expect(r.report.decisions.map((d) => [d.decision, d.failedTotal, d.allowed])).toEqual([['continue', 1, 1], ['continue', 1, 1], ['stop', 2, 1]]);
    expect(r.report.notStarted).toEqual(['n07', 'n08']);
    expect(r.results.map((x) => x.node)).toEqual(names(6));
  });

  it('--max-fail P%: a share of the rollout; healthy waves end in "done"', async () => {
    const r = await run({ canary: 1, batch: { kind: 'percent', p: 25 }, maxFail: { kind: 'percent', p: 25 } }, 8, ['n03', 'n04']);
    expect(r.report.strategy).toBe('canary 1, batch 25% (2 nodes), max-fail 25% (2 of 8 nodes)');
    expect(r.report.stopped).toBe(false);
    expect(r.report.decisions.map((d) => d.decision)).toEqual(['continue', 'continue', 'continue', 'continue', 'done']);
    expect(r.started.flat()).toEqual(names(8));
  });

  it('default max-fail 0 stops at the first failed wave', async () => {
    const r = await run({ canary: 0, batch: { kind: 'count', n: 3 }, maxFail: { kind: 'count', n: 0 } }, 9, ['n04']);
    expect(r.started.length).toBe(2);
    expect(r.report.decisions[1]!.reason).toBe('1 node failed, more than --max-fail 0 allows (0); stopping: 3 nodes not touched');
  });

  it('counts a handler or health failure, a refusal and a lock left behind as failures', () => {
    expect(nodeOk(ok('a'))).toBe(true);
    expect(nodeOk({ ...ok('a'), status: 'unchanged' })).toBe(true);
    expect(nodeOk({ ...ok('a'), handler: { command: 'x', code: 1, output: '' } })).toBe(false);
    expect(nodeOk({ ...ok('a'), health: { command: 'x', ok: false, attempts: 3, seconds: 9, output: '' } })).toBe(false);
    expect(nodeOk({ ...ok('a'), status: 'partial' })).toBe(false);
    expect(nodeOk({ ...ok('a'), lockError: 'x' })).toBe(false);
  });
});
