// The health gate against a real OpenClaw gateway (issue 17): node `gw` runs openclaw 2026.5.28 (Node 24, from
// the compat cache) with its gateway started by the node's handler; node `plain` is a second node of the same
// rollout. The change under test validates (`openclaw config validate` accepts it) but keeps the gateway from
// starting: `gateway.tls` with a certificate file that is not one ("gateway tls: failed to load cert"). With
// `--canary 1` the canary is found unhealthy by the node's own `openclaw health --json`, rolled back from its
// journal, its gateway restarted on the restored config (healthy again), and `plain` is never touched. Then a
// harmless change passes the gate on the same gateway.
//
// Never skipped: without the cache the test fails, naming the install script.
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { constants as fsc, existsSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import type { NodeResult } from '../../src/domain/results.js';
import { CLI, type CliResult } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';

const CACHE = process.env.CLAWFLEET_COMPAT_CACHE ?? '/var/cache/clawfleet-compat';
const VERSION = '2026.5.28';
const OPENCLAW = `${CACHE}/openclaw-${VERSION}/bin/openclaw`;
const KEY = 'sk-ant-api03-HEALTHCANARY0123456789abcdefghijklmnop';
const OC = '/root/.openclaw';

/** Restarts the gateway this script started (pid file), in the background, logging to /root/gateway.log. */
const RESTART = `#!/bin/sh
pidf=/root/gateway.pid
if [ -f "$pidf" ]; then
  pid=$(cat "$pidf")
  kill "$pid" 2>/dev/null
  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
  kill -9 "$pid" 2>/dev/null
fi
echo "--- restart $(date -u +%FT%TZ)" >> /root/gateway.log
setsid /usr/local/bin/openclaw gateway run </dev/null >>/root/gateway.log 2>&1 &
echo $! > "$pidf"
`;

/** Two test baselines: harmless, hot-reloadable sections; and the same plus a TLS cert the gateway cannot load. */
function baseline(name: string, extra: string): string {
  return `name: ${name}
openclaw: { shape: classic, minVersion: 2026.3.2, maxVersion: 2026.7.999 }
links: { global: [], agent: [] }
config:
  sections:
    - path: tools.media
      value: { concurrency: 2, image: { enabled: true } }
    - path: browser
      value: { enabled: true, headless: true, noSandbox: true, defaultProfile: openclaw }
${extra}`;
}
const TLS = `    - path: gateway.tls
      value: { enabled: true, certPath: /root/tls/server.crt, keyPath: /root/tls/server.key }
`;

let fleet: Fleet;
let port = 0;

async function sh(node: string, cmd: string): Promise<{ code: number; out: string }> {
  const out = await fleet.exec(node, ['/bin/sh', '-c', `{ ${cmd} ; } 2>&1; echo "__exit=$?"`]);
  const m = /__exit=(\d+)\s*$/.exec(out);
  return { code: Number(m?.[1] ?? 255), out: out.replace(/__exit=\d+\s*$/, '') };
}

/** A loopback port nobody listens on now (the test nodes share the host's network). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });
}

async function healthyWithin(seconds: number): Promise<boolean> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if ((await sh('gw', 'timeout 30 openclaw health --json --timeout 20000 >/dev/null')).code === 0) return true;
    await new Promise((r) => setTimeout(r, 3000));
  }
  return false;
}

async function inventory(name: string, gwBaseline: string): Promise<string> {
  const file = join(fleet.dir, `${name}.yaml`);
  const p = SCENARIO[1]!;
  await writeFile(
    file,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\n  baseline: gw-tls\nnodes:\n` +
      `  gw:\n    host: ${fleet.node('gw').host}\n    agents: [main]\n    baseline: ${gwBaseline}\n    handler: sh /root/restart-gateway.sh\n    health: { deadline: 150, interval: 5 }\n` +
      `  plain:\n    host: ${fleet.node('plain').host}\n    agents: [${p.agents.join(', ')}]\n`,
  );
  return file;
}

/** The built CLI like runCli, with room for a health deadline (and the one after the rollback) on a loaded machine. */
function cli(args: string[]): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args, '--known-hosts', fleet.knownHosts, '--plans', join(fleet.dir, 'plans')],
      { env: { ...process.env, NO_COLOR: '1', CI: 'true' }, maxBuffer: 64 << 20, timeout: 840_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        res({ code, stdout: String(stdout), stderr: String(stderr), ms: performance.now() - t0 });
      },
    );
    child.stdin?.end();
  });
}

beforeAll(async () => {
  try {
    await access(OPENCLAW, fsc.X_OK);
  } catch {
    throw new Error(`OpenClaw compat cache not installed (${OPENCLAW} missing): run \`bash scripts/openclaw-compat-install.sh\` first`);
  }
  fleet = await startFleet({ names: ['gw', 'plain'], firstOctet: 70 });
  await seedNode(fleet.node('plain').hostRoot, { ...SCENARIO[1]!, name: 'plain' }, (p) => p);
  await sh('gw', `printf '#!/bin/sh\\nexec %s "$@"\\n' '${OPENCLAW}' > /usr/local/bin/openclaw && chmod 755 /usr/local/bin/openclaw`);
  const onboard = await sh(
    'gw',
    `openclaw onboard --non-interactive --accept-risk --mode local --auth-choice apiKey --anthropic-api-key ${KEY} ` +
      '--skip-channels --skip-daemon --no-install-daemon --skip-health --skip-search --skip-skills --skip-ui --skip-hooks --json',
  );
  expect(onboard.code, onboard.out.slice(-2000)).toBe(0);
  // Its own port: the nodes share the host's loopback, and other gateways may run there.
  port = await freePort();
  const cfgPath = fleet.hostPath('gw', `${OC}/openclaw.json`);
  const cfg = JSON.parse(await readFile(cfgPath, 'utf8')) as { gateway: { port: number } };
  cfg.gateway.port = port;
  await writeFile(cfgPath, JSON.stringify(cfg, null, 2) + '\n', { mode: 0o600 });
  await mkdir(fleet.hostPath('gw', '/root/tls'), { recursive: true });
  await writeFile(fleet.hostPath('gw', '/root/tls/server.crt'), 'not a certificate\n');
  await writeFile(fleet.hostPath('gw', '/root/tls/server.key'), 'not a key\n', { mode: 0o600 });
  await writeFile(fleet.hostPath('gw', '/root/restart-gateway.sh'), RESTART);
  await mkdir(join(fleet.dir, 'plans'));
  await writeFile(join(fleet.dir, 'plans', 'gw-good.yaml'), baseline('gw-good', ''));
  await writeFile(join(fleet.dir, 'plans', 'gw-tls.yaml'), baseline('gw-tls', TLS));
  expect((await sh('gw', 'sh /root/restart-gateway.sh')).code).toBe(0);
  expect(await healthyWithin(240)).toBe(true);
}, 900_000);

afterAll(async () => {
  await fleet?.stop();
});

describe(`health gate on a real OpenClaw ${VERSION} gateway`, () => {
  it('a change that validates but keeps the gateway from starting: canary rolled back, gateway healthy again, the other node untouched', async () => {
    const inv = await inventory('bad', 'gw-tls');
    const cfgBefore = await readFile(fleet.hostPath('gw', `${OC}/openclaw.json`));
    const plainBefore = await snapshotTree(fleet.node('plain').hostRoot, { exclude: /^$/ });
    const r = await cli(['apply', '-y', '-i', inv, '--canary', '1', '-f', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { results: NodeResult[]; rollout: { stopped: boolean; decisions: { decision: string; reason: string }[] } };
    const gw = out.results.find((x) => x.node === 'gw')!;
    expect(gw.status, JSON.stringify(gw)).toBe('rolled-back');
    expect(gw.handler?.code).toBe(0);
    expect(gw.health).toMatchObject({ command: 'openclaw health --json', ok: false, restored: { handlerCode: 0, ok: true } });
    expect(gw.error).toMatch(/^gw: unhealthy after the change: openclaw health --json failed \d+ time\(s\) within 150s/);
    // OpenClaw accepted the config (the validator ran before the swap) and then its gateway refused to start.
    const log = await readFile(fleet.hostPath('gw', '/root/gateway.log'), 'utf8');
    expect(log).toMatch(/Gateway failed to start: gateway tls: failed to load cert/);
    expect((await readFile(fleet.hostPath('gw', `${OC}/openclaw.json`))).equals(cfgBefore)).toBe(true);
    expect(out.rollout.stopped).toBe(true);
    expect(out.rollout.decisions.map((d) => [d.decision, d.reason])).toEqual([['stop', 'canary failed on gw; stopping: 1 node not touched']]);
    expect(out.results.find((x) => x.node === 'plain')).toMatchObject({ status: 'refused', runId: null });
    expect(existsSync(fleet.hostPath('plain', '/openclaw-data/.clawfleet'))).toBe(false);
    expect(diffSnapshots(plainBefore, await snapshotTree(fleet.node('plain').hostRoot, { exclude: /^$/ }))).toEqual([]);
    expect(await healthyWithin(60)).toBe(true);
  }, 900_000);

  it('a harmless change passes the gate on the same gateway', async () => {
    const inv = await inventory('good', 'gw-good');
    const r = await cli(['apply', '-y', '-i', inv, '--limit', 'gw', '-f', 'json']);
    expect(r.code, r.stderr + r.stdout.slice(-3000)).toBe(0);
    const gw = (JSON.parse(r.stdout) as { results: NodeResult[] }).results[0]!;
    expect(gw).toMatchObject({ node: 'gw', status: 'changed', handler: { code: 0 }, health: { command: 'openclaw health --json', ok: true } });
    expect(await readFile(fleet.hostPath('gw', `${OC}/openclaw.json`), 'utf8')).toMatch(/headless/);
  }, 600_000);
});
