#!/usr/bin/env node
// clawfleet against Ansible and the physical floor, on isolated sshd fleets (scripts/test-fleet.sh) seeded
// with the reference scenario's drift. Run it as `scripts/bench` (installs what is missing first); see the
// README's "Benchmark" section. Linux, root. Not run by CI (it takes a while).
//
//   scripts/bench [--sizes 4,16,64,1x50] [--runs 3] [--no-ansible] [--ansible-sizes 4,16] [--ansible-runs 1]
//                 [--json FILE] [--keep]
//
// A size is N (N nodes cycling the reference scenario's four node kinds) or NxA (N nodes like node02 — no
// links, no config sections — with A agents each). Every figure is the median of the runs, as wall time
// of the whole process (Node start-up included), measured from here.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { $ } from 'zx';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FLEET = join(ROOT, 'scripts/test-fleet.sh');
const FLOOR = join(ROOT, 'scripts/bench-floor.mjs');
const ANSIBLE_DIR = join(ROOT, 'bench/ansible');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const CLI = join(ROOT, typeof pkg.bin === 'string' ? pkg.bin : pkg.bin.clawfleet);

const { values: opt } = parseArgs({
  options: {
    sizes: { type: 'string', default: '4,16,64,1x50' },
    runs: { type: 'string', default: '3' },
    'no-ansible': { type: 'boolean', default: false },
    'ansible-sizes': { type: 'string', default: '4,16' },
    'ansible-runs': { type: 'string', default: '1' },
    json: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 11).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
  process.exit(0);
}
const RUNS = Number(opt.runs);
const ANSIBLE_RUNS = Number(opt['ansible-runs']);
if (!(RUNS >= 1) || !(ANSIBLE_RUNS >= 1)) throw new Error('--runs and --ansible-runs must be positive');
const parseSize = (s) => {
  const m = /^(\d+)(?:x(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`bad size "${s}" (N or NxA)`);
  return { label: s.trim(), nodes: Number(m[1]), agents: m[2] ? Number(m[2]) : null };
};
const SIZES = opt.sizes.split(',').map(parseSize);
const ANSIBLE_SIZES = new Set(opt['no-ansible'] ? [] : opt['ansible-sizes'].split(',').map((s) => parseSize(s).label));
const day = new Date().toISOString().slice(0, 10);
const JSON_OUT = resolve(opt.json ?? join(ROOT, `bench/results/bench-${day}.json`));

$.quiet = true;
const log = (m) => process.stderr.write(`bench: ${m}\n`);

// ------------------------------------------------------------------ prerequisites

async function prerequisites() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) throw new Error('the bench needs Linux and root (isolated sshd nodes)');
  if (!existsSync(join(ROOT, 'node_modules/.package-lock.json'))) {
    log('npm ci');
    await $({ cwd: ROOT })`npm ci --no-audit --no-fund`;
  }
  if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist/demo/seed.js'))) {
    log('npm run build');
    await $({ cwd: ROOT })`npm run build`;
  }
  await $`bash ${FLEET} install`;
  const missing = [];
  if (!existsSync('/usr/bin/time')) missing.push('time');
  if (ANSIBLE_SIZES.size > 0 && !(await $({ nothrow: true })`command -v ansible-playbook`).stdout.trim()) missing.push('ansible-core');
  if (missing.length) {
    log(`apt-get install ${missing.join(' ')}`);
    await $`apt-get update`;
    await $({ env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })`apt-get install -y --no-install-recommends ${missing}`;
  }
}

// ------------------------------------------------------------------ measuring

/** Runs a command, returns wall ms (spawn to exit, as seen from here), exit code, output and peak RSS. */
function measure(cmd, args, { env, expect } = {}) {
  const rssFile = join(tmpdir(), `clawfleet-bench-rss-${process.pid}`);
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], {
      env: { ...process.env, NO_COLOR: '1', CI: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', rej);
    child.on('close', async (code) => {
      const ms = performance.now() - t0;
      const rss = Number((await readFile(rssFile, 'utf8').catch(() => '')).trim().split('\n').pop()) || null;
      await rm(rssFile, { force: true });
      const r = { ms, code, rssKB: rss, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (expect !== undefined && !expect.includes(code)) {
        rej(new Error(`${cmd} ${args.join(' ')}: exit ${code}, expected ${expect.join('/')}\n${(r.stdout + r.stderr).slice(-3000)}`));
      } else res(r);
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ------------------------------------------------------------------ fleets and the scenario

/** The reference scenario (dist/demo/scenario-data.js), loaded once the build is there. */
let SCENARIO;

/** The scenario node kinds of one size: cycle the four reference kinds, or node02-like with A agents. */
function kindsFor(size) {
  return Array.from({ length: size.nodes }, (_, i) => {
    if (size.agents === null) {
      const k = SCENARIO[i % SCENARIO.length];
      return { ...k, name: size.nodes === SCENARIO.length ? k.name : `${k.name}-${String(i + 1).padStart(2, '0')}` };
    }
    const agents = Array.from({ length: size.agents }, (_, a) => `agent${String(a + 1).padStart(2, '0')}`);
    return { name: `big${size.agents}-${String(i + 1).padStart(2, '0')}`, agents, orphans: [], sections: [], linked: false };
  });
}

async function fleetUp(size, kinds) {
  const dir = mkdtempSync(join(tmpdir(), `clawfleet-bench-${size.label}-`));
  const first = size.agents === null ? 101 : 170;
  log(`fleet ${size.label}: ${size.nodes} sshd nodes on 127.0.0.${first}…`);
  await $({ env: { ...process.env, FLEET_NAMES: kinds.map((k) => k.name).join(' ') } })`bash ${FLEET} up ${dir} ${size.nodes} ${first}`;
  const fleet = JSON.parse(await readFile(join(dir, 'fleet.json'), 'utf8'));
  const nodes = fleet.nodes.map((n, i) => ({ ...n, kind: kinds[i] }));
  const inv = join(dir, 'inventory.yaml');
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\nnodes:\n` +
      nodes.map((n) => `  ${n.name}:\n    host: ${n.host}\n    agents: [${n.kind.agents.join(', ')}]\n${n.kind.quarantine?.length ? `    quarantineAgents: [${n.kind.quarantine.join(', ')}]\n` : ''}`).join(''),
  );
  const hosts = join(dir, 'hosts.yml');
  const ssh = `-o UserKnownHostsFile=${fleet.knownHosts} -o StrictHostKeyChecking=yes`;
  await writeFile(
    hosts,
    JSON.stringify({
      openclaw: {
        hosts: Object.fromEntries(
          nodes.map((n) => [n.name, { ansible_host: n.host, ansible_user: 'root', ansible_ssh_private_key_file: fleet.clientKey, ansible_ssh_common_args: ssh, agents: n.kind.agents }]),
        ),
      },
    }),
  );
  return { dir, nodes, inv, hosts, knownHosts: fleet.knownHosts };
}

async function fleetDown(f) {
  if (opt.keep) return log(`kept ${f.dir} (scripts/test-fleet.sh down ${f.dir})`);
  await $`bash ${FLEET} down ${f.dir}`;
}

/** (Re)seeds every node with its drifted scenario state; a pristine copy per node is kept for checks. */
async function seed(f) {
  const { seedNode } = await import(join(ROOT, 'dist/demo/seed.js'));
  await Promise.all(
    f.nodes.map(async (n) => {
      for (const d of ['root', 'openclaw-data']) {
        for (const e of await readdir(join(n.dir, d))) await rm(join(n.dir, d, e), { recursive: true, force: true });
      }
      await seedNode(n.dir, n.kind, (p) => p);
      n.ref ??= join(f.dir, '.ref', n.name);
      if (!existsSync(n.ref)) {
        await mkdir(n.ref, { recursive: true });
        await seedNode(n.ref, n.kind, (p) => p);
      }
    }),
  );
}

// ------------------------------------------------------------------ end-state check

const JSON5 = (await import('json5')).default;
const YAML = await import('yaml');
// `{dataRoot}` in a section value is the node's data root: the bench fleet's is /openclaw-data
const BASELINE = YAML.parse(readFileSync(join(ROOT, 'plans/openclaw-classic.yaml'), 'utf8').replaceAll('{dataRoot}', '/openclaw-data'));

/** Every file under `dir` (relative path → content), following nothing. */
async function filesUnder(dir, rel = '') {
  const out = new Map();
  let entries;
  try {
    entries = await readdir(join(dir, rel), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of await filesUnder(dir, r)) out.set(k, v);
    else if (e.isFile()) out.set(r, await readFile(join(dir, r), 'utf8'));
  }
  return out;
}

const get = (o, path) => path.reduce((v, k) => (v && typeof v === 'object' ? v[k] : undefined), o);
function leaves(o, prefix = []) {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return [[prefix, o]];
  return Object.entries(o).flatMap(([k, v]) => leaves(v, [...prefix, k]));
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Checks one node against the baseline; returns what is wrong (empty when right). */
async function checkNode(n, tool) {
  const bad = [];
  const home = join(n.dir, 'root/.openclaw');
  const refHome = join(n.ref, 'root/.openclaw');
  const data = (p) => join(n.dir, p.replace(/^\//, ''));
  const slot = async (path, target, refDir) => {
    const at = join(home, path);
    const st = await lstat(at).catch(() => null);
    if (!st?.isSymbolicLink()) return bad.push(`${path}: not a symlink`);
    const t = await readlink(at);
    if (t !== target) return bad.push(`${path}: points to ${t}, not ${target}`);
    const want = await filesUnder(refDir);
    const have = await filesUnder(data(target));
    for (const [k, v] of want) if (have.get(k) !== v) bad.push(`${path}/${k}: data missing or changed behind the link`);
  };
  for (const g of BASELINE.links.global) {
    await slot(g.path, `/openclaw-data/${g.target}`, n.kind.linked ? join(n.ref, 'openclaw-data', g.target) : join(refHome, g.path));
  }
  for (const a of n.kind.agents) {
    for (const l of BASELINE.links.agent) {
      const ref = n.kind.linked ? join(n.ref, 'openclaw-data/agents', a, l.target) : join(refHome, 'agents', a, l.path);
      await slot(`agents/${a}/${l.path}`, `/openclaw-data/agents/${a}/${l.target}`, ref);
    }
    for (const f of ['agent/auth-profiles.json', 'agent/models.json']) {
      const want = await readFile(join(refHome, 'agents', a, f), 'utf8').catch(() => null);
      if (want !== null && (await readFile(join(home, 'agents', a, f), 'utf8').catch(() => null)) !== want) bad.push(`agents/${a}/${f}: changed`);
    }
  }
  const present = (await readdir(join(home, 'agents'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  for (const o of n.kind.orphans) {
    if (present.includes(o)) bad.push(`agents/${o}: orphan not quarantined`);
    const q = tool === 'ansible' ? [join(home, '.ansible-quarantine', o)] : (await readdir(join(home, '.clawfleet')).catch(() => [])).map((r) => join(home, '.clawfleet', r, 'quarantine', o));
    let kept = false;
    for (const dir of q) if ((await readFile(join(dir, 'agent/models.json'), 'utf8').catch(() => null)) !== null) kept = true;
    if (!kept) bad.push(`agents/${o}: quarantined copy not found`);
  }
  for (const p of present) if (!n.kind.agents.includes(p)) bad.push(`agents/${p}: unlisted agent dir left in place`);
  let before;
  let after;
  try {
    before = JSON5.parse(await readFile(join(refHome, 'openclaw.json'), 'utf8'));
    after = JSON5.parse(await readFile(join(home, 'openclaw.json'), 'utf8'));
  } catch (e) {
    return [...bad, `openclaw.json: ${e.message}`];
  }
  for (const [path, v] of leaves(before)) if (!same(get(after, path), v)) bad.push(`openclaw.json: existing ${path.join('.')} not kept`);
  for (const s of BASELINE.config.sections) {
    const p = s.path.split('.');
    if (typeof get(after, p) !== 'object') bad.push(`openclaw.json: section ${s.path} missing`);
    for (const [path, v] of leaves(s.value, p)) if (get(before, path) === undefined && !same(get(after, path), v)) bad.push(`openclaw.json: ${path.join('.')} not set`);
  }
  return bad;
}

async function checkFleet(f, tool) {
  const bad = (await Promise.all(f.nodes.map(async (n) => (await checkNode(n, tool)).map((m) => `${n.name}: ${m}`)))).flat();
  if (bad.length) throw new Error(`${tool}: wrong end state on ${f.nodes.length} nodes:\n  ${bad.slice(0, 20).join('\n  ')}${bad.length > 20 ? `\n  … ${bad.length - 20} more` : ''}`);
}

// ------------------------------------------------------------------ one size

/** Ansible ControlPath dirs of the current size (a cold start per run), removed with its fleet. */
const tempDirs = [];

async function benchSize(size) {
  const kinds = kindsFor(size);
  const f = await fleetUp(size, kinds);
  const cf = ['-i', f.inv, '--known-hosts', f.knownHosts];
  // The machine's 1-minute load average around the runs: other work on it shows in every figure.
  const r = { size: size.label, nodes: size.nodes, agentsPerNode: size.agents, runs: {}, rssKB: {}, ansible: null, load: [loadavg()[0]] };
  const add = (k, m) => (r.runs[k] ??= []).push(Math.round(m.ms));
  const rss = (k, m) => (r.rssKB[k] = Math.max(r.rssKB[k] ?? 0, m.rssKB ?? 0));
  try {
    for (let i = 1; i <= RUNS; i++) {
      log(`${size.label}: clawfleet run ${i}/${RUNS}`);
      await seed(f);
      add('floor', await measure('node', [FLOOR, f.dir], { expect: [0] }));
      const plan = await measure('node', [CLI, 'plan', ...cf], { expect: [2] });
      add('plan', plan);
      rss('plan', plan);
      const apply = await measure('node', [CLI, 'apply', '-y', ...cf], { expect: [0] });
      add('apply', apply);
      rss('apply', apply);
      await checkFleet(f, 'clawfleet');
      const conv = await measure('node', [CLI, 'plan', ...cf], { expect: [0] });
      add('converged', conv);
      rss('converged', conv);
    }
    if (ANSIBLE_SIZES.has(size.label)) {
      r.ansible = { runs: ANSIBLE_RUNS, noChangeReportedChanges: 0 };
      for (let i = 1; i <= ANSIBLE_RUNS; i++) {
        log(`${size.label}: ansible run ${i}/${ANSIBLE_RUNS}`);
        await seed(f);
        const cpDir = mkdtempSync(join(tmpdir(), 'clawfleet-bench-cp-'));
        tempDirs.push(cpDir);
        const env = { ANSIBLE_CONFIG: join(ANSIBLE_DIR, 'ansible.cfg'), ANSIBLE_SSH_CONTROL_PATH_DIR: cpDir };
        const ap = (...extra) => measure('ansible-playbook', ['-i', f.hosts, join(ANSIBLE_DIR, 'site.yml'), ...extra], { env, expect: [0] });
        const check = await ap('--check');
        add('ansibleCheck', check);
        rss('ansibleCheck', check);
        if (!(await checkFleet(f, 'ansible').then(() => false, () => true))) throw new Error('ansible --check changed the fleet');
        const run = await ap();
        add('ansibleRun', run);
        rss('ansibleRun', run);
        await checkFleet(f, 'ansible');
        const again = await ap();
        add('ansibleNoChange', again);
        const changed = [...again.stdout.matchAll(/changed=(\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
        r.ansible.noChangeReportedChanges = Math.max(r.ansible.noChangeReportedChanges, changed);
      }
    }
  } finally {
    r.load.push(loadavg()[0]);
    await fleetDown(f);
    for (const d of tempDirs.splice(0)) await rm(d, { recursive: true, force: true });
  }
  r.median = Object.fromEntries(Object.entries(r.runs).map(([k, v]) => [k, median(v)]));
  return r;
}

// ------------------------------------------------------------------ report

function table(results) {
  const s = (ms) => (ms == null ? '—' : (ms / 1000).toFixed(2) + ' s');
  const x = (a, b) => (a == null || b == null ? '—' : (a / b).toFixed(2) + '×');
  const mb = (kb) => (kb ? Math.round(kb / 1024) + ' MB' : '—');
  const head = ['size', 'floor', 'plan', 'ratio', 'apply', 'ratio', 'converged plan', 'ratio', 'ansible --check', 'ansible run', 'ansible no-change', 'peak RSS plan/apply'];
  const rows = results.map((r) => {
    const m = r.median;
    return [
      r.agentsPerNode === null ? `${r.nodes} nodes` : `${r.nodes} node × ${r.agentsPerNode} agents`,
      s(m.floor),
      s(m.plan),
      x(m.plan, m.floor),
      s(m.apply),
      x(m.apply, m.floor),
      s(m.converged),
      x(m.converged, m.floor),
      r.ansible ? s(m.ansibleCheck) : 'not run',
      r.ansible ? s(m.ansibleRun) : 'not run',
      r.ansible ? s(m.ansibleNoChange) : 'not run',
      `${mb(r.rssKB.plan)} / ${mb(r.rssKB.apply)}`,
    ];
  });
  return [head, head.map(() => '---'), ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n');
}

await prerequisites();
({ SCENARIO } = await import(join(ROOT, 'dist/demo/scenario-data.js')));
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? '',
  node: process.version,
  ansible: ANSIBLE_SIZES.size ? (await $({ nothrow: true })`ansible-playbook --version`).stdout.split('\n')[0] : null,
};
const results = [];
for (const size of SIZES) results.push(await benchSize(size));
const doc = { date: new Date().toISOString(), machine, runs: RUNS, ansibleRuns: ANSIBLE_RUNS, ansibleSizes: [...ANSIBLE_SIZES], cli: CLI.slice(ROOT.length + 1), results };
await mkdir(dirname(JSON_OUT), { recursive: true });
await writeFile(JSON_OUT, JSON.stringify(doc, null, 2) + '\n');
process.stdout.write(
  `\nclawfleet vs Ansible vs the floor — median of ${RUNS} run(s) (Ansible: ${ANSIBLE_RUNS}), ${machine.cpus} cores, Node ${machine.node}` +
    `${machine.ansible ? `, ${machine.ansible}` : ''}\n\n${table(results)}\n\nratios are to the floor; ` +
    `1-min load average before/after each size: ${results.map((r) => `${r.size} ${r.load.map((l) => l.toFixed(1)).join('/')}`).join(', ')}; JSON: ${JSON_OUT}\n`,
);
