// The hostile input corpus: test/fixtures/hostile/<case>/ — expect.json (what must happen), and optionally
// inventory.yaml (replaces the fleet's), plans/*.yaml (baselines beside it), setup.json (node-side changes,
// extra arguments, known_hosts, commands run inside an SSH node). Every case runs `plan` and `apply -y` (or
// what expect.json lists) with the built CLI, and must give exit 1, a one-line error naming the node and the
// path, no stack trace, and not one byte written on any node (clawfleet's own state dirs included) — or, for
// the faults that can only appear in the middle of an apply, a rollback to the byte-identical tree.
//
// Local cases run on a fresh local demo fleet each; "fleet": "ssh" cases on the real SSH test fleet.
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoFleet } from '../../src/demo/demo-fleet.js';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { CLI } from '../helpers/run-cli.js';
import { startFleet, testAddr, type Fleet } from '../ssh/fleet.js';
import { cli, differences, snapshot, type Cli } from './support.js';

const DIR = resolve(import.meta.dirname, '../fixtures/hostile');
const SILENT = { host: testAddr(99), port: 2299 };

interface Expectation {
  what: string;
  fleet?: 'local' | 'ssh';
  commands?: ('plan' | 'apply')[];
  code: number;
  /** The node the error line names (null: a file error before any node is involved). */
  node: string | null;
  /** The path it names ({fleet} = the fleet dir); null where there is none (connection errors). */
  path: string | null;
  /** Regex the error line matches. */
  message: string;
  /**
   * untouched (default): not a byte written anywhere; rolled-back: a fault mid-apply, undone; refused: the node
   * refused before its first write (its own line is the verdict, not a command error), not a byte written.
   */
  outcome?: 'untouched' | 'rolled-back' | 'refused';
  /** Run clawfleet as this uid (root reads everything: unreadable dirs need an ordinary user). */
  uid?: number;
}

type NodeOp =
  | { op: 'write'; node: string; path: string; text?: string; base64?: string; repeat?: string; count?: number; tail?: string }
  | { op: 'replace'; node: string; path: string; from: string; to: string }
  | { op: 'mkdir'; node: string; path: string }
  | { op: 'rm'; node: string; path: string }
  | { op: 'symlink'; node: string; path: string; target: string }
  | { op: 'chmod'; node: string; path: string; mode: string }
  | { op: 'mkfifo'; node: string; path: string }
  | { op: 'chown'; node: string; path: string; uid: number }
  /** A shell command run in the node's root dir (deep trees, device nodes). */
  | { op: 'sh'; node: string; sh: string };

interface Setup {
  node?: NodeOp[];
  args?: string[];
  knownHosts?: string;
  exec?: { node: string; sh: string }[];
  teardown?: { node: string; sh: string }[];
}

interface Case {
  name: string;
  expect: Expectation;
  setup: Setup;
  inventory: string | null;
  plans: boolean;
}

/** CLAWFLEET_TEST_LOCAL_ONLY=1: run the local cases only (no SSH fleet started), e.g. on a loaded machine. */
const LOCAL_ONLY = process.env.CLAWFLEET_TEST_LOCAL_ONLY === '1';

const CASES: Case[] = readdirSync(DIR)
  .sort()
  .map((name) => {
    const f = (x: string) => join(DIR, name, x);
    return {
      name,
      expect: JSON.parse(readFileSync(f('expect.json'), 'utf8')) as Expectation,
      setup: existsSync(f('setup.json')) ? (JSON.parse(readFileSync(f('setup.json'), 'utf8')) as Setup) : {},
      inventory: existsSync(f('inventory.yaml')) ? readFileSync(f('inventory.yaml'), 'utf8') : null,
      plans: existsSync(f('plans')),
    };
  });

const figures = { cases: CASES.length, local: 0, ssh: 0, commands: 0, seconds: 0 };
const t0 = performance.now();

/** The lines that report this case's error: naming node and path, matching the message. */
function errorLines(r: Cli, e: Expectation, fleetDir: string): string[] {
  const path = e.path?.replace('{fleet}', fleetDir) ?? null;
  const where = e.node && path ? `${e.node}: ${path}` : (path ?? `${e.node}: `);
  const re = new RegExp(e.message);
  return (r.stdout + r.stderr).split('\n').filter((l) => l.includes(where) && re.test(l));
}

function expectOutcome(c: Case, r: Cli, fleetDir: string, cmd: string): void {
  const out = `${c.name} (${c.expect.what}): clawfleet ${cmd}\n${r.stdout}\n${r.stderr}`;
  expect(r.signal, out).toBeNull();
  expect(r.code, out).toBe(c.expect.code);
  expect(errorLines(r, c.expect, fleetDir).length, `no line names ${c.expect.node}: ${c.expect.path} and matches /${c.expect.message}/\n${out}`).toBeGreaterThan(0);
  expect(r.stdout + r.stderr, out).not.toMatch(/\n\s+at |Error: |\bundefined\b/);
  // The last line on stderr is the command's verdict, one line naming where.
  const last = r.stderr.trim().split('\n').pop() ?? '';
  if (cmd.startsWith('apply') && c.expect.outcome !== 'rolled-back' && c.expect.outcome !== 'refused') expect(last, out).toMatch(/^clawfleet apply: /);
}

const argsOf = (cmd: 'plan' | 'apply'): string[] => (cmd === 'apply' ? ['apply', '-y'] : ['plan']);

// ---------------------------------------------------------------- local cases

async function applyNodeOp(fleetDir: string, o: NodeOp): Promise<void> {
  const root = join(fleetDir, 'nodes', o.node);
  const p = root + ('path' in o ? o.path : '');
  switch (o.op) {
    case 'write': {
      const data = o.base64 !== undefined ? Buffer.from(o.base64, 'base64') : (o.text ?? '') + (o.repeat ?? '').repeat(o.count ?? 0) + (o.tail ?? '');
      await mkdir(join(p, '..'), { recursive: true });
      return writeFile(p, data);
    }
    case 'replace':
      return writeFile(p, (await readFile(p, 'utf8')).split(o.from).join(o.to));
    case 'mkdir':
      return void (await mkdir(p, { recursive: true }));
    case 'rm':
      return rm(p, { recursive: true, force: true });
    case 'symlink':
      // The node's own text, as a node holds it (the local transport reads it verbatim). Fixtures use relative
      // targets for anything outside the node, so a link never resolves into this machine's own dirs.
      return symlink(o.target, p);
    case 'chmod':
      return chmod(p, parseInt(o.mode, 8));
    case 'mkfifo':
      return void execFileSync('mkfifo', [p]);
    case 'chown':
      return chownSync(p, o.uid, o.uid);
    case 'sh':
      return void execFileSync('/bin/sh', ['-c', o.sh], { cwd: root });
  }
}

/** chown -R, for the cases run as an ordinary user. */
function chownTree(p: string, uid: number): void {
  chownSync(p, uid, uid);
  for (const e of readdirSync(p, { withFileTypes: true })) {
    if (e.isDirectory()) chownTree(join(p, e.name), uid);
    else if (!e.isSymbolicLink()) chownSync(join(p, e.name), uid, uid);
  }
}

function cliAs(uid: number, args: string[]): Promise<Cli> {
  const t = performance.now();
  return new Promise((res) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: 'true', HOME: '/tmp', USER: 'nobody' };
    delete env.CLAWFLEET_FAILPOINT;
    execFile(process.execPath, [CLI, ...args], { uid, gid: uid, env, timeout: 60_000 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
      res({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, signal: e?.signal ?? null, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t });
    });
  });
}

async function runLocal(c: Case): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'clawfleet-hostile-'));
  try {
    const fleetDir = join(tmp, 'fleet');
    await createDemoFleet(fleetDir);
    if (c.inventory !== null) await writeFile(join(fleetDir, 'inventory.yaml'), c.inventory);
    if (c.plans) await cp(join(DIR, c.name, 'plans'), join(fleetDir, 'plans'), { recursive: true });
    for (const o of c.setup.node ?? []) await applyNodeOp(fleetDir, o);
    if (c.expect.uid !== undefined) {
      chmodSync(tmp, 0o755);
      chownTree(fleetDir, c.expect.uid);
      for (const o of c.setup.node ?? []) if (o.op === 'chmod') chmodSync(join(fleetDir, 'nodes', o.node) + o.path, parseInt(o.mode, 8));
    }
    const before = await snapshot(join(fleetDir, 'nodes'), /^$/);
    for (const cmd of c.expect.commands ?? ['plan', 'apply']) {
      const extra = (c.setup.args ?? []).map((a) => a.replace('{fleet}', fleetDir));
      const args = [...argsOf(cmd), ...(extra.includes('-i') ? [] : ['-i', join(fleetDir, 'inventory.yaml')]), ...extra];
      const r = c.expect.uid !== undefined ? await cliAs(c.expect.uid, args) : await cli(args);
      figures.commands++;
      expectOutcome(c, r, fleetDir, args.join(' '));
      expect(differences(before, await snapshot(join(fleetDir, 'nodes'), /^$/)), `${c.name}: clawfleet ${cmd} wrote on a node`).toEqual([]);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- ssh cases

let fleet: Fleet | undefined;
let silent: Server | undefined;
let otherKey = '';
const SSH_NAMES = SCENARIO.map((n) => n.name);

/** The node's own view of /root and /openclaw-data (mounts made inside the node included). */
async function nodeView(name: string, withState: boolean): Promise<string[]> {
  const out = await fleet!.exec(name, [
    'sh',
    '-c',
    "find /root /openclaw-data -printf '%p %y %m %l\\n' | LC_ALL=C sort; find /root /openclaw-data -type f -exec sha256sum {} + | LC_ALL=C sort -k2",
  ]);
  return out.split('\n').filter((l) => l && (withState || !/\/\.clawfleet(\/|\s|$)/.test(l)));
}

async function resetSsh(): Promise<void> {
  for (const n of SSH_NAMES) {
    const root = fleet!.node(n).hostRoot;
    for (const sub of ['root', 'openclaw-data']) for (const e of await readdir(`${root}/${sub}`)) await rm(`${root}/${sub}/${e}`, { recursive: true, force: true });
    await seedNode(root, SCENARIO.find((s) => s.name === n)!, (p) => p);
  }
}

async function runSsh(c: Case): Promise<void> {
  const f = fleet!;
  const inv = join(f.dir, `inventory-${c.name}.yaml`);
  const text = (c.inventory ?? '')
    .replace(/\{\{host:([^}]+)\}\}/g, (_, n: string) => f.node(n).host)
    .replace('{{key}}', f.clientKey)
    .replace('{{otherkey}}', otherKey)
    .replace('{{silent-host}}', SILENT.host)
    .replace('{{silent-port}}', String(SILENT.port));
  await writeFile(inv, text);
  let knownHosts = f.knownHosts;
  if (c.setup.knownHosts === 'empty') await writeFile((knownHosts = join(f.dir, 'empty_known_hosts')), '');
  else if (c.setup.knownHosts?.startsWith('changed:')) {
    const n = c.setup.knownHosts.slice('changed:'.length);
    const lines = readFileSync(f.knownHosts, 'utf8').split('\n').filter((l) => l && !l.startsWith(`${f.node(n).host} `));
    const other = execFileSync('ssh-keygen', ['-y', '-f', otherKey]).toString().trim().split(' ').slice(0, 2).join(' ');
    await writeFile((knownHosts = join(f.dir, 'changed_known_hosts')), [...lines, `${f.node(n).host} ${other}`].join('\n') + '\n');
  }
  for (const x of c.setup.exec ?? []) await f.exec(x.node, ['sh', '-c', x.sh]);
  try {
    const withState = (c.expect.outcome ?? 'untouched') === 'untouched';
    const views = async () => Object.fromEntries(await Promise.all(SSH_NAMES.map(async (n) => [n, await nodeView(n, withState)] as const)));
    const before = await views();
    for (const cmd of c.expect.commands ?? ['plan', 'apply']) {
      const args = [...argsOf(cmd), '-i', inv, '--known-hosts', knownHosts, ...(c.setup.args ?? [])];
      const r = await cli(args);
      figures.commands++;
      expectOutcome(c, r, f.dir, args.join(' '));
      if (c.expect.outcome === 'rolled-back') expect(r.stdout, `${c.name}: the node was not rolled back\n${r.stdout}`).toMatch(new RegExp(`${c.expect.node}: rolled back \\d+ completed action\\(s\\); node is as before`));
      expect(await views(), `${c.name}: clawfleet ${cmd} left a node changed`).toEqual(before);
    }
  } finally {
    for (const x of c.setup.teardown ?? []) await f.exec(x.node, ['sh', '-c', x.sh]);
    await resetSsh();
  }
}

beforeAll(async () => {
  if (LOCAL_ONLY || !CASES.some((c) => c.expect.fleet === 'ssh')) return;
  fleet = await startFleet({ names: SSH_NAMES, firstOctet: 93 });
  await resetSsh();
  otherKey = join(fleet.dir, 'other_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
  silent = createServer(() => undefined); // accepts TCP, never speaks SSH
  await new Promise<void>((r) => silent!.listen(SILENT.port, SILENT.host, r));
}, 120_000);

afterAll(async () => {
  silent?.close();
  await fleet?.stop();
  figures.seconds = Math.round((performance.now() - t0) / 1000);
  // eslint-disable-next-line no-console
  console.log(`hostile corpus: ${JSON.stringify(figures)}`);
});

describe('hostile input corpus (test/fixtures/hostile)', () => {
  it('has at least 40 cases, each with an expectation naming where', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    for (const c of CASES) expect(c.expect.node !== null || c.expect.path !== null, c.name).toBe(true);
  });

  // Each local case has a fleet of its own (a temp dir): they run a few at a time (vitest's maxConcurrency),
  // which keeps both cores busy while the CLI processes start. The SSH cases share one fleet: one by one.
  it.concurrent.each(CASES.filter((c) => c.expect.fleet !== 'ssh').map((c) => [c.name, c] as const))('%s', { timeout: 60_000 }, async (_, c) => {
    await runLocal(c);
    figures.local++;
  });

  it.each(CASES.filter((c) => c.expect.fleet === 'ssh' && !LOCAL_ONLY).map((c) => [c.name, c] as const))('%s (ssh)', { timeout: 120_000 }, async (_, c) => {
    await runSsh(c);
    figures.ssh++;
  });
});
