import { execFile } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoFleet } from '../../src/demo/demo-fleet.js';
import { demoKey, SCENARIO } from '../../src/demo/scenario-data.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { CLI } from '../helpers/run-cli.js';

/*
 * The built CLI (run-cli.ts's CLI: the bundle `bin` runs) against local demo fleets. `npm test` builds first; locally run
 * `npx tsc -p tsconfig.json` before this file. Every command's stdout and stderr is checked for the demo's
 * fake API keys and for stack traces.
 */

const NODES = SCENARIO.map((n) => n.name);
const ALL = /^$/; // snapshot exclude that excludes nothing (clawfleet's own .clawfleet dirs included)

/** Every fake key the demo seeds, and the part after the well-known prefix (in case only that leaks). */
const SECRETS = SCENARIO.flatMap((n) => [...n.agents, ...n.orphans].map((a) => demoKey(n.name, a)));
const SECRET_TAILS = SECRETS.map((k) => k.slice('sk-ant-api03-DEMO'.length));

interface Run {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}
const runs: Run[] = [];

function cli(args: string[], cwd: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.CLAWFLEET_DEBUG;
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, timeout: 30_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      const r = { args, code, stdout: String(stdout), stderr: String(stderr) };
      runs.push(r);
      resolve(r);
    });
  });
}

/** No secret, no stack trace, whatever the command. */
function expectClean(r: Run): void {
  const all = r.stdout + r.stderr;
  const what = `clawfleet ${r.args.join(' ')}`;
  expect(all, `${what}: prints a demo key`).not.toContain('sk-ant-api03-DEMO');
  for (const t of SECRET_TAILS) expect(all.includes(t), `${what}: prints part of a demo key`).toBe(false);
  expect(r.stderr, `${what}: stack trace on stderr`).not.toContain('    at ');
  expect(r.stdout, `${what}: stack trace on stdout`).not.toMatch(/^\s+at .*\(.*:\d+:\d+\)$/m);
}

/** Exit 1 and exactly one line on stderr. */
function expectOneLineError(r: Run): string {
  expect(r.code, `${r.args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(1);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr.endsWith('\n')).toBe(true);
  return lines[0]!;
}

async function snapshotFleet(fleet: string, opts: { exclude?: RegExp } = {}): Promise<Map<string, string>> {
  return snapshotTree(join(fleet, 'nodes'), opts);
}

/** A full snapshot without clawfleet's own state dirs (what snapshotTree leaves out by default). */
function withoutState(snap: Map<string, string>): Map<string, string> {
  return new Map([...snap].filter(([k]) => !/(^|\/)\.clawfleet(\/|$)/.test(k)));
}

function nodeChanges(before: Map<string, string>, after: Map<string, string>): Set<string> {
  return new Set(diffSnapshots(before, after).map((d) => d.split('/')[0]!));
}

/** The stdout section of one node in a plan ("node02: …" up to the next blank line). */
function nodeBlock(stdout: string, node: string): string {
  const start = stdout.indexOf(`\n${node}: `);
  expect(start, `no block for ${node} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const end = stdout.indexOf('\n\n', start + 1);
  return stdout.slice(start + 1, end < 0 ? undefined : end);
}

let tmp: string;
/** Made by `clawfleet demo`; the main apply → rollback story runs on it. */
let main: string;
/** Made in-process, for the hostile inventory, --limit and invalid-config story. */
let other: string;
/** What `clawfleet demo` printed. */
let demoRun: Run;

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npx tsc -p tsconfig.json" first (npm test does)`);
  tmp = await mkdtemp(join(tmpdir(), 'clawfleet-cli-'));
  main = join(tmp, 'fleet');
  other = join(tmp, 'other');
  const [demo] = await Promise.all([cli(['demo', '--dir', main], tmp), createDemoFleet(other)]);
  expect(demo.code, demo.stderr).toBe(0);
  expect(demo.stdout).toContain('Demo fleet created');
  expectClean(demo);
  demoRun = demo;
});

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// The stories below use separate fleets (or none) and run concurrently; the steps of a story run in order.
const step = it.sequential;

describe.concurrent('clawfleet CLI on a local demo fleet', () => {
  describe('plan → apply → rollback', () => {
    const inv = () => join(main, 'inventory.yaml');
    let original: Map<string, string>;
    let originalAll: Map<string, string>;
    let runId: string;

    step('plan exits 2 and shows node02 lacking the four sections', async () => {
      originalAll = await snapshotFleet(main, { exclude: ALL });
      original = withoutState(originalAll);
      expect([...original.keys()].some((k) => k.includes('auth-profiles.json'))).toBe(true);
      const r = await cli(['plan', '-i', inv()], tmp);
      expectClean(r);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toBe('');
      const node02 = nodeBlock(r.stdout, 'node02');
      expect(node02).toMatch(/^node02: \d+ changes/);
      expect(node02).toMatch(/~ config +\/root\/\.openclaw\/openclaw\.json +adds agents\.defaults\.memorySearch, tools\.media, logging, browser$/m);
      expect(node02).toMatch(/link +\/root\/\.openclaw\/memory → \/openclaw-data\/memory/);
      expect(nodeBlock(r.stdout, 'node03')).toMatch(/adds tools\.media, logging, browser$/m);
      expect(nodeBlock(r.stdout, 't440')).toMatch(/quarantine \/root\/\.openclaw\/agents\/main .*holds credentials/);
      expect(r.stdout).toMatch(/Plan: \d+ changes on 4 nodes, 0 up to date, 0 with errors\./);
      expect(await snapshotFleet(main, { exclude: ALL })).toEqual(originalAll);
    });

    step('apply without a terminal and without -y exits 1 with one stderr line and changes nothing', async () => {
      const r = await cli(['apply', '-i', inv()], tmp);
      expectClean(r);
      expect(expectOneLineError(r)).toMatch(/terminal.*-y|-y.*terminal/);
      expect(diffSnapshots(originalAll, await snapshotFleet(main, { exclude: ALL }))).toEqual([]);
    });

    step('apply -y exits 0 and changes every node', async () => {
      const r = await cli(['apply', '-y', '-i', inv()], tmp);
      expectClean(r);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      const m = /\brun (\d{8}T\d{6}Z-[0-9a-f]+)\b/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      runId = m![1]!;
      expect(nodeChanges(original, await snapshotFleet(main))).toEqual(new Set(NODES));
      for (const n of NODES) expect(existsSync(join(main, 'nodes', n, 'openclaw-data', '.clawfleet', 'runs', runId)), n).toBe(true);
      // the links point into the data root (the node's own path, as a node holds it) and the data moved behind them
      expect(readlinkSync(join(main, 'nodes', 'node02', 'root', '.openclaw', 'agents', 'coder', 'sessions'))).toBe('/openclaw-data/agents/coder/sessions');
      const text = await readFile(join(main, 'nodes', 'node02', 'openclaw-data', 'agents', 'coder', 'sessions', 's-coder-1.jsonl'), 'utf8');
      expect(text).toContain('hello from node02/coder');
    });

    step('plan then exits 0: converged', async () => {
      const r = await cli(['plan', '-i', inv()], tmp);
      expectClean(r);
      expect(r.code, r.stdout).toBe(0);
      // issue 15: nodes with the same (empty) plan share a line. t440 stands alone: its notes (the agents named
      // under quarantineAgents have been moved, nothing left to move) make its plan differ from the others'.
      expect(NODES).toEqual(['t440', 'node02', 'node03', 'node04']);
      expect(r.stdout).toContain('t440: up to date\n');
      expect(r.stdout).toContain('\nnode02: up to date\nnode03, node04: up to date\n');
      expect(r.stdout).toContain(`Plan: 0 changes on 0 nodes, ${NODES.length} up to date, 0 with errors.`);
    });

    step('runs lists the run id on every node', async () => {
      const r = await cli(['runs', '-i', inv()], tmp);
      expectClean(r);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n').filter((l) => l.includes(runId) && /applied/.test(l))).toHaveLength(NODES.length);
    });

    step('rollback <id> exits 0 and the tree equals the original (excluding .clawfleet)', async () => {
      const r = await cli(['rollback', runId, '-y', '-i', inv()], tmp);
      expectClean(r);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(diffSnapshots(original, await snapshotFleet(main))).toEqual([]);
    });

    step('rollback nonsense exits 1 with one stderr line', async () => {
      const before = await snapshotFleet(main, { exclude: ALL });
      const r = await cli(['rollback', 'nonsense', '-i', inv()], tmp);
      expectClean(r);
      expect(expectOneLineError(r)).toContain('nonsense');
      expect(diffSnapshots(before, await snapshotFleet(main, { exclude: ALL }))).toEqual([]);
    });
  });

  describe('bad input: exit 1, one line', () => {
    it('--inventory missing.yaml exits 1 with one line naming the file', async () => {
      const r = await cli(['plan', '--inventory', 'missing.yaml'], tmp);
      expectClean(r);
      expect(expectOneLineError(r)).toContain(join(tmp, 'missing.yaml'));
    });

    it('a malformed inventory exits 1 with one line naming file and line', async () => {
      const file = join(tmp, 'malformed.yaml');
      await writeFile(file, 'version: 1\nnodes:\n  a:\n    transport: local\n   root: x\n');
      const r = await cli(['plan', '-i', file], tmp);
      expectClean(r);
      const line = expectOneLineError(r);
      expect(line).toContain(file);
      expect(line).toMatch(/line 5\b/);
    });

    it('unknown command exits 1 with one line', async () => {
      const r = await cli(['frobnicate'], tmp);
      expectClean(r);
      expect(expectOneLineError(r)).toContain('frobnicate');
      expect(r.stdout).toBe('');
    });
  });

  describe('a second fleet: hostile inventory, --limit, then a node with an invalid config', () => {
    step('an inventory with a hostile agent id: apply -y exits 1 (file, line, key) and no node changes', async () => {
      const before = await snapshotFleet(other, { exclude: ALL });
      const text = (await readFile(join(other, 'inventory.yaml'), 'utf8')).replace('agents: [assistant, coder, researcher]', 'agents: [assistant, "../../../etc", researcher]');
      expect(text).toContain('../../../etc');
      const file = join(other, 'hostile.yaml');
      await writeFile(file, text);
      const r = await cli(['apply', '-y', '-i', file], tmp);
      expectClean(r);
      const line = expectOneLineError(r);
      expect(line).toContain(file);
      expect(line).toMatch(/line \d+: nodes\.node02\.agents\[1\]: agent id must match/);
      expect(r.stdout).toBe('');
      expect(diffSnapshots(before, await snapshotFleet(other, { exclude: ALL }))).toEqual([]);
    });

    step('apply -y --limit node03 touches only node03', async () => {
      const before = await snapshotFleet(other, { exclude: ALL });
      const r = await cli(['apply', '-y', '--limit', 'node03', '-i', join(other, 'inventory.yaml')], tmp);
      expectClean(r);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^node03: 1 change/m);
      for (const n of NODES.filter((x) => x !== 'node03')) expect(r.stdout).not.toMatch(new RegExp(`^${n}:`, 'm'));
      expect(nodeChanges(before, await snapshotFleet(other, { exclude: ALL }))).toEqual(new Set(['node03']));
    });

    // node03 is converged now; node02's openclaw.json becomes invalid JSON5, t440 and node04 still have changes.
    const CONFIG = '/root/.openclaw/openclaw.json';

    step('a node whose openclaw.json is invalid JSON5: plan exits 1 with a line naming the node and the path', async () => {
      await writeFile(join(other, 'nodes', 'node02', 'root', '.openclaw', 'openclaw.json'), '// hand-edited\n{\n  gateway: { mode: "local" },\n  tools: { profile: "coding" ]\n}\n');
      const r = await cli(['plan', '-i', join(other, 'inventory.yaml')], tmp);
      expectClean(r);
      expect(r.code, r.stdout).toBe(1);
      const lines = (r.stdout + r.stderr).split('\n');
      // README: "Errors are one line naming node and path."
      expect(
        lines.filter((l) => l.includes('node02') && l.includes(CONFIG) && /invalid JSON5 at 4:30\b/.test(l)),
        `no single line names node02, ${CONFIG} and the JSON5 error:\n${r.stdout}`,
      ).not.toHaveLength(0);
      // the other nodes are still planned
      expect(nodeBlock(r.stdout, 't440')).toMatch(/^t440: \d+ changes/);
      expect(nodeBlock(r.stdout, 'node04')).toMatch(/^node04: \d+ changes/);
    });

    // All-or-nothing: one node's plan error means no change on any node (t440 and node04 have changes).
    step('with that node in the fleet, apply -y changes no node at all and exits 1 with one line naming it', async () => {
      const before = await snapshotFleet(other, { exclude: ALL });
      const r = await cli(['apply', '-y', '-i', join(other, 'inventory.yaml')], tmp);
      expectClean(r);
      expect(expectOneLineError(r)).toContain('node02');
      expect(diffSnapshots(before, await snapshotFleet(other, { exclude: ALL })), 'no change on any node').toEqual([]);
    });
  });

  describe("the demo's bare fifth node: a bootstrap plan, never applied on a dir", () => {
    const newNode = () => join(main, 'new-node.yaml');

    it('demo prints its bootstrap plan after the fleet plan, steps and the SSH-only note', () => {
      const out = demoRun.stdout;
      const head = out.indexOf('A new node: what `apply` would do over SSH');
      expect(head, out).toBeGreaterThan(out.indexOf('Plan: 58 changes on 4 nodes'));
      expect(out.indexOf('Next, try:')).toBeGreaterThan(head);
      const bare5 = nodeBlock(out.slice(head), 'bare5');
      expect(bare5).toMatch(/^bare5: 3 changes$/m);
      expect(bare5).toMatch(/^ {2}\+ openclaw +\/opt\/openclaw\/2026\.9\.6 +OpenClaw 2026\.9\.6 by npm on the node, command \/usr\/local\/bin\/openclaw +⚠ cannot be undone$/m);
      expect(bare5).toMatch(/^ {2}\+ setup +\/root\/\.openclaw\/openclaw\.json +openclaw onboard --non-interactive/m);
      expect(bare5).toMatch(/^ {2}\+ agent +\/root\/\.openclaw\/agents\/coder +openclaw agents add coder/m);
      expect(bare5).toMatch(
        /service: systemd unit \/etc\/systemd\/system\/openclaw-gateway\.service; start: systemctl enable --now openclaw-gateway; health: `OPENCLAW_STATE_DIR='\/root\/\.openclaw' OPENCLAW_CONFIG_PATH='\/root\/\.openclaw\/openclaw\.json' OPENCLAW_GATEWAY_PORT=18789 openclaw health --json` within 300 s/,
      );
      expect(bare5).toMatch(/note: bare5: bootstrap: a local dir \(root: .*\/nodes\/bare5\) can only be bootstrapped over SSH/);
      expect(bare5).toMatch(/warning: bare5: agents without credentials after the bootstrap: main, coder/);
      expect(out).toMatch(/Plan: 3 changes on 1 node, 0 up to date, 0 with errors\./);
      expect(out).toMatch(/^ {2}clawfleet plan -i fleet\/new-node\.yaml +# the bare node's bootstrap plan/m);
    });

    it('apply on new-node.yaml (planned or saved) exits 1 with one line naming the node, the dir stays byte-identical', async () => {
      const before = await snapshotTree(join(main, 'nodes', 'bare5'), { exclude: ALL });
      const inventory = await readFile(newNode());
      const r = await cli(['apply', '-y', '-i', newNode()], tmp);
      expectClean(r);
      expect(expectOneLineError(r)).toMatch(
        /^clawfleet apply: bare5: a local dir \(root: .*\/nodes\/bare5\) can only be bootstrapped over SSH: its installs would run on this machine; nothing applied on any node/,
      );
      const planFile = join(tmp, 'bare5-plan.json');
      expect((await cli(['plan', '-i', newNode(), '--out', planFile], tmp)).code).toBe(2);
      const saved = await cli(['apply', planFile, '-y', '-i', newNode()], tmp);
      expect(saved.code).toBe(1);
      expect(saved.stderr).toMatch(/bare5: a local dir .* can only be bootstrapped over SSH/);
      expect(diffSnapshots(before, await snapshotTree(join(main, 'nodes', 'bare5'), { exclude: ALL }))).toEqual([]);
      expect(before.size).toBe(0);
      expect(await readFile(newNode())).toEqual(inventory);
    });
  });

  describe('help', () => {
    it.each([
      ['plan', ['--no-diff', '-i, --inventory FILE', '-l, --limit LIST', '--plans DIR', '--parallel N', 'Exit code']],
      ['apply', ['-y, --yes', '--no-diff', '-i, --inventory FILE', '-l, --limit LIST', 'Exit code']],
      ['rollback', ['RUN-ID', '-i, --inventory FILE', '-l, --limit LIST', 'Exit code']],
      ['demo', ['4-node demo fleet', 'bare fifth node', 'new-node.yaml', '--dir DIR']],
      ['check', ['--require-credentials', 'Exit code', 'no credentials']],
      ['watch', ['--require-credentials', '--every DURATION', '--state FILE', 'Exit code']],
    ])('%s --help exits 0 and lists its options', async (cmd, words) => {
      const r = await cli([cmd, '--help'], tmp);
      expectClean(r);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain(`Usage: clawfleet ${cmd}`);
      for (const w of words) expect(r.stdout).toContain(w);
    });
  });
});

describe('secrets', () => {
  it('no command of this file printed a demo key or a stack trace', () => {
    expect(runs.length).toBeGreaterThan(0);
    const all = runs.map((r) => r.stdout + r.stderr).join('\n');
    for (const k of SECRETS) expect(all.includes(k)).toBe(false);
    expect(all).not.toContain('sk-ant-api03-DEMO');
    expect(runs.map((r) => r.stderr).join('')).not.toContain('    at ');
  });

  it('the demo keys really are on the nodes (the secret checks are not vacuous)', async () => {
    const text = await readFile(join(main, 'nodes', 't440', 'root', '.openclaw', 'agents', 'main', 'agent', 'auth-profiles.json'), 'utf8');
    expect(text).toContain(demoKey('t440', 'main'));
  });
});
