// Rollouts over a real SSH fleet (issue 17): a canary that turns unhealthy stops the rollout, rolled back and
// with no other node touched; --batch and --max-fail do what they print. Eight node02-like nodes (no links, no
// config sections); the health gate runs a per-node script, /root/health.sh: a node is "unhealthy" once the
// change put the baseline's browser section (`headless`) in its config, where the test says so.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioNode } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import type { NodeResult } from '../../src/domain/results.js';
import { runCli } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { startFleet, type Fleet } from './fleet.js';

const NAMES = Array.from({ length: 8 }, (_, i) => `r0${i + 1}`);
const HEALTHY = 'exit 0\n';
const BREAKS_ON_CHANGE = "if grep -q headless /root/.openclaw/openclaw.json; then echo 'gateway down: browser.headless not supported here' >&2; exit 1; fi\n";

let fleet: Fleet;
let inv: string;

interface ApplyJson {
  runId: string;
  results: NodeResult[];
  rollout: {
    strategy: string;
    stopped: boolean;
    notStarted: string[];
    waves: { index: number; kind: string; nodes: string[] }[];
    decisions: { wave: number; kind: string; nodes: string[]; failed: string[]; failedTotal: number; allowed: number; decision: string; reason: string }[];
  };
}

/** Everything of a node that a run could touch: its home and data root, clawfleet's own state included. */
async function tree(name: string): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const sub of ['/root', '/openclaw-data']) for (const [k, v] of await snapshotTree(fleet.hostPath(name, sub), { exclude: /^$/ })) all.set(`${sub}/${k}`, v);
  return all;
}

const health = (name: string, script: string) => writeFile(fleet.hostPath(name, '/root/health.sh'), script);
const touched = (name: string) => existsSync(fleet.hostPath(name, '/openclaw-data/.clawfleet'));

beforeAll(async () => {
  fleet = await startFleet({ names: NAMES, firstOctet: 20 });
  const kind: Omit<ScenarioNode, 'name'> = { agents: ['assistant', 'coder'], orphans: [], quarantine: [], sections: [], linked: false };
  for (const name of NAMES) {
    await seedNode(fleet.node(name).hostRoot, { name, ...kind }, (p) => p);
    await health(name, HEALTHY);
  }
  inv = join(fleet.dir, 'inventory.yaml');
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\n` +
      `  handler: echo restarted >> /tmp/handler.log\n  health: { command: "sh /root/health.sh", deadline: 3, interval: 1 }\nnodes:\n` +
      NAMES.map((n) => `  ${n}:\n    host: ${fleet.node(n).host}\n    agents: [${kind.agents.join(', ')}]\n`).join(''),
  );
});

afterAll(async () => {
  await fleet?.stop();
});

describe('rollout over SSH', () => {
  it('a canary that turns unhealthy is rolled back, its gateway restarted on the old config, and no other node is touched', async () => {
    await health('r01', BREAKS_ON_CHANGE);
    const before = new Map<string, Map<string, string>>();
    for (const n of NAMES) before.set(n, await tree(n));

    const r = await runCli(['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts, '--canary', '1', '--batch', '3', '-f', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as ApplyJson;
    const res = new Map(out.results.map((x) => [x.node, x]));

    // The canary: applied, found unhealthy, rolled back from its journal; handler run again on the old config.
    const c = res.get('r01')!;
    expect(c.status).toBe('rolled-back');
    expect(c.error).toMatch(/^r01: unhealthy after the change: sh \/root\/health\.sh failed \d+ time\(s\) within 3s \(last: gateway down: browser\.headless not supported here\); rolling back$/);
    expect(c.health).toMatchObject({ command: 'sh /root/health.sh', ok: false, restored: { handlerCode: 0, ok: true } });
    expect(c.actions.filter((a) => a.status === 'undone').length).toBe(c.done);
    expect(await readFile(fleet.hostPath('r01', '/tmp/handler.log'), 'utf8')).toBe('restarted\nrestarted\n');
    const journal = await readFile(fleet.hostPath('r01', `/openclaw-data/.clawfleet/runs/${out.runId}/journal.jsonl`), 'utf8');
    expect(journal).toMatch(/"t":"health","command":"sh \/root\/health\.sh","ok":false/);
    expect(journal).toMatch(/"t":"end","status":"rolled-back"/);
    // Byte for byte as before, apart from clawfleet's own journal and the handler's log.
    const after = await tree('r01');
    expect(diffSnapshots(before.get('r01')!, after).filter((d) => !/\/\.clawfleet(\/|:)|^\/openclaw-data\/\.clawfleet/.test(d))).toEqual([]);

    // The rollout stopped after the canary, said so, and started nothing else.
    expect(out.rollout.stopped).toBe(true);
    expect(out.rollout.waves.map((w) => w.nodes)).toEqual([['r01'], ['r02', 'r03', 'r04'], ['r05', 'r06', 'r07'], ['r08']]);
    expect(out.rollout.decisions).toEqual([expect.objectContaining({ wave: 1, kind: 'canary', failed: ['r01'], decision: 'stop', reason: 'canary failed on r01; stopping: 7 nodes not touched' })]);
    expect(out.rollout.notStarted).toEqual(NAMES.slice(1));
    expect(r.stderr).toContain('rollout: after wave 1/4: stop: canary failed on r01; stopping: 7 nodes not touched');
    for (const n of NAMES.slice(1)) {
      expect(res.get(n)).toMatchObject({ status: 'refused', runId: null, done: 0 });
      expect(res.get(n)!.error).toMatch(/^not started: the rollout stopped after wave 1 \(canary failed on r01/);
      expect(touched(n)).toBe(false);
      expect(diffSnapshots(before.get(n)!, await tree(n))).toEqual([]);
    }
  }, 300_000);

  it('--batch P% and --max-fail N: waves as planned, going on while failures stay within N, stopping after the wave that exceeds it', async () => {
    await health('r01', HEALTHY);
    await health('r04', BREAKS_ON_CHANGE);
    await health('r06', BREAKS_ON_CHANGE);
    const r = await runCli(['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts, '--batch', '25%', '--max-fail', '1', '--parallel', '2', '-f', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as ApplyJson;
    expect(out.rollout.strategy).toBe('batch 25% (2 nodes), max-fail 1');
    expect(out.rollout.waves.map((w) => w.nodes)).toEqual([['r01', 'r02'], ['r03', 'r04'], ['r05', 'r06'], ['r07', 'r08']]);
    expect(out.rollout.decisions.map((d) => [d.wave, d.failed, d.failedTotal, d.allowed, d.decision])).toEqual([
      [1, [], 0, 1, 'continue'],
      [2, ['r04'], 1, 1, 'continue'],
      [3, ['r06'], 2, 1, 'stop'],
    ]);
    // Every decision is printed as it is taken, with the same words as the JSON.
    for (const d of out.rollout.decisions) expect(r.stderr).toContain(`rollout: after wave ${d.wave}/4: ${d.decision}: ${d.reason}`);
    expect(r.stderr).toContain('rollout: wave 3/4 (batch): r05, r06');
    const status = Object.fromEntries(out.results.map((x) => [x.node, x.status]));
    expect(status).toEqual({ r01: 'changed', r02: 'changed', r03: 'changed', r04: 'rolled-back', r05: 'changed', r06: 'rolled-back', r07: 'refused', r08: 'refused' });
    expect(NAMES.filter(touched)).toEqual(['r01', 'r02', 'r03', 'r04', 'r05', 'r06']);

    // The text output prints the same decisions, and a converged rerun has nothing left for the stopped waves.
    await health('r04', HEALTHY);
    await health('r06', HEALTHY);
    const t = await runCli(['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts, '--batch', '2', '--no-diff']);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/Rollout: 4 nodes in 2 waves \(batch 2, max-fail 0\)\n {2}wave 1 batch {2}r04, r06\n {4}continue 0 failed \(0 of 0 tolerated\); going on with wave 2 \(2 nodes\)\n {2}wave 2 batch {2}r07, r08\n {4}done {5}0 failed \(0 of 0 tolerated\); rollout complete/);
    expect(t.stdout).toMatch(/r04: healthy after [\d.]+s \(sh \/root\/health\.sh\)/);
    expect((await runCli(['plan', '-i', inv, '--known-hosts', fleet.knownHosts])).code).toBe(0);
  }, 300_000);
});
