// Shards across machines (issue 17): four `--shard i/4` processes over a 64-node SSH fleet, each as a CI job
// would run it, merge (`clawfleet merge`) into the result one run over the whole fleet gives: plan, drift
// matrix, Markdown comment, apply results and exit codes. Every 8th node (s01, s09, …: two of each) is one of the
// reference scenario's four node kinds in turn, the others are node03's kind (its links in place, a config merge
// alone): what is proved is that the parts merge into the one run, which does not depend on how much each node
// has to do (what an apply costs is the bench's and the kill-point suites' business); node03 has 1 action where
// node02 has 25, and all four kinds in turn made this file CI's second longest. s05, s06, s07 form a group kept
// in one shard. The fleet is started in
// eight parts of 8 (one `test-fleet.sh up` of 32 or 64 nodes can outlast its 60 s limit on a loaded 2-core machine).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { quarantineLine } from '../../src/demo/demo-fleet.js';
import type { NodeResult } from '../../src/domain/results.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { startFleet, type Fleet } from './fleet.js';

const N = 64;
const NAMES = Array.from({ length: N }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const PAIR = ['s05', 's06', 's07'];

const halves: Fleet[] = [];
let fleet: { dir: string; knownHosts: string };
let inv: string;
const PART = 8;
const half = (name: string) => halves[Math.floor(NAMES.indexOf(name) / PART)]!;
const files = (kind: string) => [1, 2, 3, 4].map((i) => join(fleet.dir, `${kind}-${i}.json`));
// A generous connect timeout: four processes open 64 connections at once on a machine that may be loaded.
const cli = (args: string[]) => runCli([...args, '-i', inv, '--known-hosts', fleet.knownHosts, '--connect-timeout', '60']);

/** The four shards as four processes at once; each part's JSON saved as a CI artifact would be. */
async function shards(kind: string, args: string[]): Promise<CliResult[]> {
  const out = await Promise.all([1, 2, 3, 4].map((i) => cli([...args, '--shard', `${i}/4`, '--shard-together', 'pair', '-f', 'json'])));
  await Promise.all(out.map((r, i) => writeFile(files(kind)[i]!, r.stdout)));
  return out;
}

const noTime = (text: string) => text.replace(/"(createdAt|checkedAt)": "[^"]+"/g, '"$1": "-"').replace(/planned \S+Z/g, 'planned -');

/** One part of the fleet; tried again when its sshds did not come up in time (a loaded machine). */
async function startPart(names: string[], firstOctet: number): Promise<Fleet> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startFleet({ names, firstOctet });
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

beforeAll(async () => {
  const t0 = performance.now();
  // two parts at a time (kept in order: half() finds a node's part by its index)
  for (let i = 0; i < N; i += 2 * PART) halves.push(...(await Promise.all([i, i + PART].map((j) => startPart(NAMES.slice(j, j + PART), 100 + j)))));
  const t1 = performance.now();
  const dir = halves[0]!.dir;
  fleet = { dir, knownHosts: join(dir, 'known_hosts_all') };
  await writeFile(fleet.knownHosts, (await Promise.all(halves.map((h) => readFile(h.knownHosts, 'utf8')))).join(''));
  const light = SCENARIO.find((k) => k.name === 'node03')!;
  const kinds = NAMES.map((name, i) => ({ ...(i % 8 === 0 ? SCENARIO[(i / 8) % SCENARIO.length]! : light), name }));
  for (const k of kinds) await seedNode(half(k.name).node(k.name).hostRoot, k, (p) => p);
  // eslint-disable-next-line no-console
  console.log(`shards: fleet up in ${Math.round((t1 - t0) / 1000)} s, seeded in ${Math.round((performance.now() - t1) / 1000)} s`);
  inv = join(dir, 'inventory.yaml');
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  baseline: openclaw-classic\n` +
      `groups:\n  pair: { nodes: [${PAIR.join(', ')}] }\nnodes:\n` +
      kinds.map((k) => `  ${k.name}:\n    host: ${half(k.name).node(k.name).host}\n    identity: ${half(k.name).clientKey}\n    agents: [${k.agents.join(', ')}]\n${quarantineLine(k)}`).join(''),
  );
}, 900_000);

afterAll(async () => {
  const stopped = [];
  for (const h of halves) stopped.push(await h.stop().then(() => null, (e: unknown) => e));
  const failed = stopped.find((e) => e !== null);
  if (failed) throw failed;
});

describe('four shards of a 64-node fleet', () => {
  it('plan and check: the merged parts are the one-run result, byte for byte, with the same exit code', async () => {
    const parts = await shards('plan', ['plan']);
    for (const p of parts) expect(p.code, p.stderr).toBe(2);
    const nodesOf = (text: string) => (JSON.parse(text) as { nodes: { node: string }[] }).nodes.map((n) => n.node);
    const split = parts.map((p) => nodesOf(p.stdout));
    expect(split.flat().sort()).toEqual(NAMES);
    for (const s of split) expect(s.length).toBeGreaterThan(0);
    expect(split.filter((s) => PAIR.some((n) => s.includes(n))).map((s) => PAIR.filter((n) => s.includes(n)))).toEqual([PAIR]);

    const one = await cli(['plan', '-f', 'json']);
    expect(one.code).toBe(2);
    const merged = await runCli(['merge', ...files('plan'), '-i', inv, '-f', 'json']);
    expect(merged.code, merged.stderr).toBe(2);
    expect(noTime(merged.stdout)).toBe(noTime(one.stdout));
    const md = await runCli(['merge', ...files('plan'), '-i', inv, '-f', 'markdown']);
    expect(noTime(md.stdout)).toBe(noTime((await cli(['plan', '-f', 'markdown'])).stdout));
    const text = await runCli(['merge', ...files('plan'), '-i', inv, '--no-diff']);
    expect(text.stdout).toMatch(new RegExp(`Plan: \\d+ changes on ${N} nodes, 0 up to date, 0 with errors\\.`));

    const checks = await shards('check', ['check']);
    for (const c of checks) expect(c.code, c.stderr).toBe(2);
    const oneCheck = await cli(['check', '-f', 'json']);
    const mc = await runCli(['merge', ...files('check'), '-i', inv, '-f', 'json']);
    expect(mc.code).toBe(oneCheck.code);
    expect(noTime(mc.stdout)).toBe(noTime(oneCheck.stdout));
    // A lost part is an error, never a partial result that looks whole.
    const lost = await runCli(['merge', ...files('check').slice(1), '-i', inv]);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/^clawfleet merge: shard 1\/4 missing: the merged result would leave nodes out\n$/);
  }, 600_000);

  it('apply: four parts merge into the results one run gives (after rolling the parts back), exit codes included', async () => {
    const parts = await shards('apply', ['apply', '-y']);
    for (const p of parts) expect(p.code, p.stderr).toBe(0);
    const merged = await runCli(['merge', ...files('apply'), '-i', inv, '-f', 'json']);
    expect(merged.code, merged.stderr).toBe(0);
    const m = JSON.parse(merged.stdout) as { runIds: string[]; results: NodeResult[] };
    expect(m.runIds.length).toBe(4);
    expect(m.results.map((r) => r.node)).toEqual(NAMES);
    expect((await cli(['plan'])).code).toBe(0);

    // Undo the four runs from the nodes' journals, then one run over the whole fleet.
    for (const id of m.runIds) {
      const u = await cli(['rollback', id, '-y']);
      expect(u.code, u.stderr).toBe(0);
    }
    expect((await cli(['plan'])).code).toBe(2);
    const one = await cli(['apply', '-y', '-f', 'json']);
    expect(one.code, one.stderr).toBe(0);
    const strip = (rs: NodeResult[]) => rs.map(({ runId: _r, ...rest }) => rest);
    expect(strip(m.results)).toEqual(strip((JSON.parse(one.stdout) as { results: NodeResult[] }).results));
  }, 900_000);
});
