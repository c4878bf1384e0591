// SIGINT and SIGTERM at every action boundary of the reference scenario, over real SSH (isolated sshd nodes,
// built CLI). The action boundaries are the point before the first action (the run's first journal record not
// yet written), the point where each action begins (its `begin` record not yet written: the signal comes just
// after the safe-point check, so that action ends first) and the point after the last action is done: the
// apply is held there, signalled, released once it says it stops, and must then end with the node rolled back
// byte for byte, no lock and no clawfleet process left on the node. Every boundary of each of the scenario's
// four nodes is tried with both signals; each node kind has its own copies (more for the long ones), which
// take that kind's points in turn so the file stays short.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { CLI } from '../helpers/run-cli.js';
import { cli, differences, snapshotAll, type Entry } from '../reliability/support.js';
import { startFleet, type Fleet } from './fleet.js';

/** The scenario's nodes and how many copies of each take its points. */
const KINDS: Record<string, number> = { node02: 3, node04: 3, t440: 1, node03: 1 };
const NODES = Object.entries(KINDS).flatMap(([kind, n]) => Array.from({ length: n }, (_, i) => `${kind}-s${i + 1}`));
const kindOf = (node: string) => node.replace(/-s\d+$/, '');
const scenario = (node: string) => SCENARIO.find((n) => n.name === kindOf(node))!;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
const EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

let fleet: Fleet;
let inv: string;
const figures: Record<string, unknown> = {};
const base = (node: string) => ['-i', inv, '--known-hosts', fleet.knownHosts, '--limit', node];
const roots = (node: string) => ({ root: fleet.hostPath(node, '/root'), data: fleet.hostPath(node, '/openclaw-data') });

async function reset(node: string): Promise<void> {
  for (const r of Object.values(roots(node))) for (const e of await readdir(r)) await rm(`${r}/${e}`, { recursive: true, force: true });
  await seedNode(fleet.node(node).hostRoot, scenario(node), (p) => p);
}

/** The command lines of the processes running in the node (its own pid namespace), sshd and this probe aside. */
async function nodeProcesses(node: string): Promise<string[]> {
  const out = await fleet.exec(node, ['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline" 2>/dev/null; echo; done']);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/sshd|^sh -c for p in|^tr /.test(l));
}

interface Outcome {
  code: number | null;
  out: string;
  /** The signal reached the apply while it was held at the boundary. */
  heldWhenSignalled: boolean;
}

/**
 * `apply` held before `node`'s write #k (CLAWFLEET_FAILPOINT pause); once held it gets `sig`, and once it says
 * it stops, the hold is released (so the next safe point comes right after the boundary, without a wait).
 */
function applySignalledAt(node: string, k: number, sig: NodeJS.Signals): Promise<Outcome> {
  const release = join(fleet.dir, `release-${node}`);
  return rm(release, { force: true }).then(
    () =>
      new Promise((res) => {
        const child = spawn(process.execPath, [CLI, 'apply', '-y', ...base(node)], {
          env: { ...process.env, NO_COLOR: '1', CI: 'true', CLAWFLEET_FAILPOINT: `${node}:pause-at-write:${k}:30000`, CLAWFLEET_FAILPOINT_RELEASE: release },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let state: 'running' | 'signalled' | 'released' = 'running';
        let held = false;
        const look = (d: Buffer) => {
          out += d.toString();
          if (state === 'running' && /clawfleet-failpoint: pause/.test(out)) {
            state = 'signalled';
            held = !existsSync(release);
            child.kill(sig);
          } else if (state === 'signalled' && /stopping at the next safe point/.test(out)) {
            state = 'released';
            void writeFile(release, '');
          }
        };
        child.stdout.on('data', look);
        child.stderr.on('data', look);
        child.on('close', (code) => res({ code, out, heldWhenSignalled: held }));
      }),
  );
}

beforeAll(async () => {
  fleet = await startFleet({ names: NODES, firstOctet: 191 });
  inv = join(fleet.dir, 'inventory.yaml');
  // as the demo inventory has them (t440's credential-holding orphans are quarantined by the operator's decision)
  const quarantine = (n: string) => (kindOf(n) === 't440' ? '    quarantineAgents: [main, child-learning]\n' : '');
  const nodes = NODES.map((n) => `  ${n}:\n    host: ${fleet.node(n).host}\n    agents: [${scenario(n).agents.join(', ')}]\n${quarantine(n)}`).join('');
  await writeFile(inv, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\nnodes:\n${nodes}`);
  await Promise.all(NODES.map(reset));
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  // eslint-disable-next-line no-console
  console.log(`signals: ${JSON.stringify(figures)}`);
});

interface Boundaries {
  /** 1-based writer call numbers, each a journal append at a boundary */
  points: number[];
  /** "op path" of every writer call of a whole apply */
  calls: string[];
  before: Map<string, Entry>;
}

/**
 * The writer calls of a whole apply on `node`, in order; the journal's appends among them, matched with the
 * records that run wrote, give the boundaries: the `run` record, each `begin`, and the last `done` (the `end`
 * record comes after the last safe point: a signal there finds the run finished). Leaves the node reset.
 */
async function boundariesOf(node: string): Promise<Boundaries> {
  const count = await cli(['apply', '-y', ...base(node)], { CLAWFLEET_FAILPOINT: 'count' });
  expect(count.code, count.stdout + count.stderr).toBe(0);
  const line = count.stderr.split('\n').find((l) => l.startsWith('clawfleet-failpoints '))!;
  const calls = (JSON.parse(line.slice('clawfleet-failpoints '.length)) as Record<string, string[]>)[node]!;
  const appends = calls.flatMap((c, i) => (/^appendFile .*journal\.jsonl$/.test(c) ? [i + 1] : []));
  const journalPath = calls[appends[0]! - 1]!.slice('appendFile '.length);
  const records = (await readFile(fleet.hostPath(node, journalPath), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { t: string }).t);
  expect(records.length).toBe(appends.length);
  const lastDone = records.lastIndexOf('done');
  await reset(node);
  return { points: appends.filter((_, i) => records[i] === 'run' || records[i] === 'begin' || i === lastDone), calls, before: await snapshotAll(roots(node)) };
}

describe('signals at every action boundary over SSH', () => {
  it('SIGINT and SIGTERM at every boundary of every scenario node: rolled back byte for byte, lock released, nothing left running', { timeout: 1_200_000 }, async () => {
    const kinds = Object.keys(KINDS);
    const found = Object.fromEntries(await Promise.all(kinds.map(async (k) => [k, await boundariesOf(`${k}-s1`)] as const)));
    // the scenario's action counts (node02 25, node04 30, t440 2, node03 1): a count that collapsed would make this test say little
    expect(Object.fromEntries(kinds.map((k) => [k, found[k]!.points.length]))).toEqual({ node02: 27, node04: 32, t440: 4, node03: 3 });

    const todo = Object.fromEntries(kinds.map((k) => [k, found[k]!.points.flatMap((point) => SIGNALS.map((sig) => ({ point, sig })))]));
    const failures: string[] = [];
    const seen = Object.fromEntries(kinds.map((k) => [k, { rolledBack: 0, nothingUnderWay: 0 }]));
    const worker = async (node: string) => {
      const kind = kindOf(node);
      const { calls, before } = found[kind]!;
      for (let job = todo[kind]!.shift(); job; job = todo[kind]!.shift()) {
        const { point, sig } = job;
        const r = await applySignalledAt(node, point, sig);
        const what = `${sig} before write #${point} (${calls[point - 1]}) on ${node}`;
        const problems: string[] = [];
        if (!r.heldWhenSignalled) problems.push('the signal came after the hold');
        if (r.code !== EXIT[sig]) problems.push(`exit ${r.code}, not ${EXIT[sig]}`);
        if (!new RegExp(`interrupted by ${sig}: run \\d{8}T\\d{6}Z-[0-9a-f]{4}`).test(r.out)) problems.push('no "interrupted by" line with the run id');
        const rolled = r.out.includes(`rolled back, lock released: ${node}`);
        const nothing = /nothing was under way to roll back/.test(r.out);
        if (!rolled && !nothing) problems.push('says neither "rolled back, lock released" nor "nothing was under way"');
        if (existsSync(fleet.hostPath(node, '/root/.clawfleet/lock'))) problems.push('the lock is left');
        const diff = differences(before, await snapshotAll(roots(node)));
        if (diff.length) problems.push(`node differs from before the apply: ${diff.slice(0, 5).join('; ')}`);
        const procs = await nodeProcesses(node);
        if (procs.length) problems.push(`left running: ${procs.join(' | ')}`);
        if (problems.length) failures.push(`${what}: ${problems.join('; ')}\n${r.out.slice(-1500)}`);
        if (rolled) seen[kind]!.rolledBack++;
        if (nothing) seen[kind]!.nothingUnderWay++;
        await reset(node);
      }
    };
    const t0 = performance.now();
    await Promise.all(NODES.map(worker));
    figures.signals = { boundaries: Object.fromEntries(kinds.map((k) => [k, found[k]!.points.length])), seen, seconds: Math.round((performance.now() - t0) / 1000) };
    expect(failures).toEqual([]);
    // a signal before the first action finds nothing to roll back; at every other boundary an action was done
    for (const k of kinds) expect(seen[k], k).toEqual({ rolledBack: (found[k]!.points.length - 1) * SIGNALS.length, nothingUnderWay: SIGNALS.length });
  });
});
