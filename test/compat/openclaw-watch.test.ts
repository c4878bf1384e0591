// Issue 14, item 5: OpenClaw's own read-only checks folded into `check`, on a real OpenClaw 2026.9.6 node over
// SSH (built by its own `onboard`), redacted, and without changing a byte of the node's OpenClaw home.
import { constants as fsc } from 'node:fs';
import { access } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { CLI, type CliResult } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';

const CACHE = process.env.CLAWFLEET_COMPAT_CACHE ?? '/var/cache/clawfleet-compat';
const VERSION = '2026.9.6';
const KEY = 'sk-ant-api03-WATCHCANARY0123456789abcdefghijklmnop';
const TOKEN = 'canary-gateway-token-watch-0123456789';
const OC = '/root/.openclaw';
let fleet: Fleet;

/** The built CLI with a longer timeout than run-cli's: OpenClaw's doctor takes minutes on a loaded machine. */
function runCli(args: string[]): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { ...process.env, NO_COLOR: '1', CI: 'true' }, maxBuffer: 64 << 20, timeout: 540_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      res({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
    });
    child.stdin?.end();
  });
}

/** A long OpenClaw command (minutes on a loaded machine): run detached on the node, waited for here. */
async function slow(cmd: string): Promise<{ code: number; out: string }> {
  const tag = Math.random().toString(16).slice(2, 8);
  await fleet.exec('oc96', ['/bin/sh', '-c', `nohup /bin/sh -c '${cmd} > /root/slow-${tag}.log 2>&1; echo $? > /root/slow-${tag}.rc' </dev/null >/dev/null 2>&1 &`]);
  const { readFile } = await import('node:fs/promises');
  for (;;) {
    const rc = await readFile(fleet.hostPath('oc96', `/root/slow-${tag}.rc`), 'utf8').catch(() => null);
    if (rc !== null && rc.trim() !== '') return { code: Number(rc.trim()), out: await readFile(fleet.hostPath('oc96', `/root/slow-${tag}.log`), 'utf8') };
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function sh(cmd: string): Promise<{ code: number; out: string }> {
  const out = await fleet.exec('oc96', ['/bin/sh', '-c', `{ ${cmd} ; } 2>&1; echo "__exit=$?"`]);
  const m = /__exit=(\d+)\s*$/.exec(out);
  return { code: Number(m?.[1] ?? 255), out: out.replace(/__exit=\d+\s*$/, '') };
}

beforeAll(async () => {
  try {
    await access(`${CACHE}/openclaw-${VERSION}/.clawfleet-installed`, fsc.R_OK);
  } catch {
    throw new Error(`OpenClaw ${VERSION} not in ${CACHE}: run \`bash scripts/openclaw-compat-install.sh\` first`);
  }
  fleet = await startFleet({ names: ['oc96'], firstOctet: 151 });
  await sh(`printf '#!/bin/sh\\nexec %s "$@"\\n' '${CACHE}/openclaw-${VERSION}/bin/openclaw' > /usr/local/bin/openclaw && chmod 755 /usr/local/bin/openclaw`);
  const onboard = await slow(
    `openclaw onboard --non-interactive --accept-risk --mode local --auth-choice apiKey --anthropic-api-key ${KEY} ` +
      '--skip-channels --skip-daemon --no-install-daemon --skip-health --skip-search --skip-skills --skip-ui --skip-hooks --json',
  );
  expect(onboard.code, onboard.out.slice(-1000)).toBe(0);
  // a plaintext secret in the config, which OpenClaw's own checks report (and clawfleet must redact)
  const set = await slow(`openclaw config set gateway.auth.token ${TOKEN}`);
  expect(set.code, set.out.slice(-1000)).toBe(0);
}, 900_000);

const sqliteSidecars = async () => (await sh(`ls ${OC}/state`)).out.split('\n').filter((l) => /openclaw\.sqlite-(wal|shm)$/.test(l));

afterAll(async () => {
  await fleet?.stop();
});

describe(`OpenClaw ${VERSION}'s own checks in the matrix`, () => {
  it('without a WAL (gateway stopped) the checks are not run, because they would leave files behind', async () => {
    expect(await sqliteSidecars()).toEqual([]);
    const inv = `${fleet.dir}/inv0.yaml`;
    await (await import('node:fs/promises')).writeFile(
      inv,
      `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: openclaw-current\nnodes:\n  oc96:\n    host: ${fleet.node('oc96').host}\n    agents: [main]\n`,
    );
    const before = await snapshotTree(fleet.hostPath('oc96', OC));
    const r = await runCli(['check', '-i', inv, '--known-hosts', fleet.knownHosts, '--format', 'json']);
    expect(r.stdout, r.stderr).not.toBe('');
    expect(diffSnapshots(before, await snapshotTree(fleet.hostPath('oc96', OC)))).toEqual([]);
    const cells = JSON.parse(r.stdout).rows[0].cells;
    expect(cells['openclaw-secrets']).toMatchObject({ state: 'n/a' });
    expect(cells['openclaw-doctor']).toMatchObject({ state: 'n/a' });
  }, 1_200_000);

  it('doctor --lint and secrets audit become columns, redacted, and the node is unchanged', async () => {
    // what a running gateway leaves: the shared store open in WAL mode (here by OpenClaw's own audit)
    await slow('openclaw secrets audit --check --json');
    expect((await sqliteSidecars()).sort()).toEqual(['openclaw.sqlite-shm', 'openclaw.sqlite-wal']);
    const inv = `${fleet.dir}/inventory.yaml`;
    await (await import('node:fs/promises')).writeFile(
      inv,
      `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: openclaw-current\nnodes:\n  oc96:\n    host: ${fleet.node('oc96').host}\n    agents: [main]\n`,
    );
    const before = await snapshotTree(fleet.hostPath('oc96', OC));
    const r = await runCli(['check', '-i', inv, '--known-hosts', fleet.knownHosts, '--format', 'json']);
    expect(r.stdout, r.stderr).not.toBe('');
    const text = await runCli(['check', '-i', inv, '--known-hosts', fleet.knownHosts]);
    const after = await snapshotTree(fleet.hostPath('oc96', OC));
    expect(diffSnapshots(before, after)).toEqual([]);
    for (const out of [r.stdout, r.stderr, text.stdout, text.stderr]) {
      expect(out).not.toContain(KEY);
      expect(out).not.toContain(TOKEN);
    }
    const j = JSON.parse(r.stdout);
    expect(j.items).toEqual(expect.arrayContaining(['openclaw-doctor', 'openclaw-secrets']));
    const cells = j.rows[0].cells;
    expect(['ok', 'drift']).toContain(cells['openclaw-doctor'].state);
    // the plaintext gateway token is what secrets audit reports (with its path, never its value)
    expect(cells['openclaw-secrets']).toMatchObject({ state: 'drift', what: expect.arrayContaining(['plaintext-found']) });
    expect(cells['openclaw-secrets'].detail.join('\n')).toContain('gateway.auth.token');
    expect(j.rows[0].openclawVersion).toBe(VERSION);
    // credentials moved into SQLite on this version: said, not silently taken for "no profiles"
    expect(j.rows[0].credentials.notes.join('\n')).toMatch(/SQLite|not watched/);
    expect(text.stdout.split('\n')[0]).toMatch(/openclaw-doctor\s+openclaw-secrets$/);
  }, 1_200_000);
});
