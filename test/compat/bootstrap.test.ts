// Bootstrap with the real OpenClaw 2026.9.6 and 2026.5.28 (issue 18): three bare SSH test nodes (test/ssh/fleet.ts: nothing of
// OpenClaw on the node side) converge in ONE `clawfleet apply` each, from sshd alone to a gateway that answers
// its health check. The push install copies Node 24 + the release from an operator-side cache (a dir of links
// to what scripts/openclaw-compat-install.sh filled) into /opt/openclaw on the node: the first apply packs the
// tarballs (cold cache), the second reuses them (warm). OpenClaw itself checks the result: `config validate`,
// `agents list`, `health`. No credential is written; a re-plan is empty; a node running another release gets
// the plan error naming both versions. warm96's inventory names a gateway user (`owner: openclaw`) the node
// does not have: the same apply creates it with the uid/gid the plan shows, and OpenClaw's setup, its files,
// the data dirs and the running gateway are that user's; its inventory asks for the health gate after the config
// change (`health:`), which must reach the gateway as that user, with its home.
//
// Never skipped: without the compat cache every test fails, naming the install script.
import { constants as fsc } from 'node:fs';
import { access, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';

const COMPAT = process.env.CLAWFLEET_COMPAT_CACHE ?? '/var/cache/clawfleet-compat';
const VERSION = '2026.9.6';
const OTHER = '2026.5.28';
const AGENTS = ['main', 'coder'];
const OC = '/root/.openclaw';
/** warm96's gateway user: missing on the node, created by the same apply (its OpenClaw home inside the user's). */
const OWNER = 'openclaw';
const OWNER_OC = `/home/${OWNER}/.openclaw`;
const NODES: { name: string; port: number; version: string; baseline: string; owner?: string }[] = [
  // the nodes share the host's network: ports 200 apart, clear of each gateway's derived ones (browser control at
  // +2, its profiles' CDP ports at +11 … +110: OpenClaw's docs/gateway/multiple-gateways.md)
  { name: 'boot96', port: 28181, version: VERSION, baseline: 'openclaw-current' },
  { name: 'warm96', port: 28381, version: VERSION, baseline: 'openclaw-current', owner: OWNER },
  { name: 'boot528', port: 28581, version: OTHER, baseline: 'openclaw-classic' },
];

let fleet: Fleet;
let cache: string;
const timings: Record<string, number> = {};

async function sh(node: string, cmd: string): Promise<{ code: number; out: string }> {
  const out = await fleet.exec(node, ['/bin/sh', '-c', `{ ${cmd} ; } 2>&1; echo "__exit=$?"`]);
  const m = /__exit=(\d+)\s*$/.exec(out);
  return { code: Number(m?.[1] ?? 255), out: out.replace(/__exit=\d+\s*$/, '') };
}

function json(out: string): unknown {
  const at = out.search(/^[[{]/m);
  if (at < 0) throw new Error(`no JSON in: ${out.slice(0, 500)}`);
  return JSON.parse(out.slice(at));
}

async function inventory(name: string, port: number, baseline = 'openclaw-current', owner?: string): Promise<string> {
  const file = join(fleet.dir, `${name}.yaml`);
  const start = `nohup openclaw gateway run >/tmp/openclaw-gateway.log 2>&1 & echo $! >/tmp/openclaw-gateway.pid`;
  await writeFile(
    file,
    `version: 1
defaults:
  transport: ssh
  user: root
  port: 22
  identity: ${fleet.clientKey}
nodes:
  ${name}:
    host: ${fleet.node(name).host}
    agents: [${AGENTS.join(', ')}]
    baseline: ${baseline}
${owner ? `    owner: ${owner}\n    openclawHome: ${OWNER_OC}\n    health: { deadline: 300 }\n` : ''}    bootstrap:
      source: push
      cache: ${cache}
      port: ${port}
      start: "${start}"
`,
  );
  return file;
}

const cli = (args: string[]): Promise<CliResult> => runCli([...args, '--known-hosts', fleet.knownHosts], { timeoutMs: 1_200_000 });

beforeAll(async () => {
  for (const p of [`${COMPAT}/node24/.clawfleet-installed`, `${COMPAT}/openclaw-${VERSION}/.clawfleet-installed`, `${COMPAT}/openclaw-${OTHER}/bin/openclaw`]) {
    try {
      await access(p, fsc.R_OK);
    } catch {
      throw new Error(`OpenClaw compat cache not installed (${p} missing): run \`bash scripts/openclaw-compat-install.sh\` first`);
    }
  }
  fleet = await startFleet({ names: NODES.map((n) => n.name), firstOctet: 181 });
  // the operator's push cache: links to the compat cache (its tarballs are packed here, in the fleet's dir)
  cache = join(fleet.dir, 'push-cache');
  await mkdir(cache);
  await symlink(`${COMPAT}/node24`, `${cache}/node24`);
  await symlink(`${COMPAT}/openclaw-${VERSION}`, `${cache}/openclaw-${VERSION}`);
  await symlink(`${COMPAT}/openclaw-${OTHER}`, `${cache}/openclaw-${OTHER}`);
}, 120_000);

afterAll(async () => {
  // eslint-disable-next-line no-console
  console.log(`bootstrap (ms): ${JSON.stringify(timings)}`);
  if (!fleet) return;
  // the gateways first (by the pid their start command recorded), so the nodes go down without them
  await Promise.all(NODES.map((n) => sh(n.name, 'p=$(cat /tmp/openclaw-gateway.pid 2>/dev/null) && kill "$p"; sleep 1').catch(() => undefined)));
  await fleet.stop().catch(async () => {
    await new Promise((r) => setTimeout(r, 3000));
    await fleet.stop();
  });
}, 420_000);

/** What a failed apply or re-plan leaves to look at: the gateway's own output, its processes, what listens (CI has no shell). */
async function gatewayState(node: string, after = 'the failed apply'): Promise<string> {
  const r = await sh(
    node,
    'echo "--- /tmp/openclaw-gateway.log:"; tail -n 40 /tmp/openclaw-gateway.log; echo "--- processes:"; ps -eo pid,user,etime,args | grep -i "[o]penclaw"; ' +
      'echo "--- listening:"; (ss -ltnp || netstat -ltnp) 2>/dev/null | grep -E "2[0-9]{4}"; echo "--- /openclaw-data/logs:"; tail -n 20 /openclaw-data/logs/openclaw.log',
  ).catch((e: Error) => ({ code: -1, out: `(no node state: ${e.message})` }));
  return `\n--- node ${node} after ${after}\n${r.out}`;
}

/** Every file under the node's OpenClaw home and data root whose name says it holds credentials. */
async function credentialFiles(node: string, oc: string): Promise<string[]> {
  const out: string[] = [];
  for (const root of [oc, '/openclaw-data']) {
    for (const k of (await snapshotTree(fleet.hostPath(node, root))).keys()) if (/auth-profiles\.json$|credentials\//.test(k)) out.push(`${root}/${k}`);
  }
  return out;
}

async function bootstrapsInOneApply(n: (typeof NODES)[number], label: string): Promise<void> {
  const inv = await inventory(n.name, n.port, n.baseline, n.owner);
  const oc = n.owner ? OWNER_OC : OC;
  // OpenClaw's own commands as the gateway's user (its HOME makes ~/.openclaw the gateway's home)
  const asGateway = (cmd: string) => (n.owner ? `cd / && runuser -u ${n.owner} -- /bin/sh -c '${cmd}'` : cmd);
  const plan = await cli(['plan', '-i', inv]);
  expect(plan.code, plan.stdout + plan.stderr).toBe(2);
  let id = -1;
  if (n.owner) {
    expect((await sh(n.name, `id ${n.owner}`)).code, 'the owner is missing before the apply').not.toBe(0);
    const m = new RegExp(
      `\\+ user\\s+/home/${n.owner}\\s+useradd --system ${n.owner}, uid and gid (\\d+), home /home/${n.owner} \\(the gateway's user; a rollback leaves it\\)\\s+⚠ cannot be undone`,
    ).exec(plan.stdout);
    expect(m, plan.stdout).not.toBeNull();
    id = Number(m![1]);
    // the health check too runs as the gateway's user (OpenClaw's CLI writes into the home it is pointed at)
    expect(plan.stdout).toContain(`OPENCLAW_GATEWAY_PORT=${n.port} runuser -u '${n.owner}' -- openclaw health --json\` within 300 s`);
    expect(id).toBeGreaterThanOrEqual(100);
    expect(id).toBeLessThanOrEqual(999);
  }
  expect(plan.stdout).toMatch(/\+ runtime\s+\/opt\/openclaw\/node-24 .*⚠ cannot be undone/);
  expect(plan.stdout).toMatch(new RegExp(`\\+ openclaw\\s+/opt/openclaw/${n.version.replace(/\./g, '\\.')} .*⚠ cannot be undone`));
  expect(plan.stdout).toContain(`+ setup      ${oc}/openclaw.json`);
  expect(plan.stdout).toContain(`+ agent      ${oc}/agents/coder`);
  expect(plan.stdout + plan.stderr).toMatch(/agents without credentials after the bootstrap: main, coder/);

  const t0 = performance.now();
  const apply = await cli(['apply', '-y', '-i', inv]);
  timings[`apply-${label}`] = Math.round(performance.now() - t0);
  expect(apply.code, apply.stdout + apply.stderr + (apply.code === 0 ? '' : await gatewayState(n.name))).toBe(0);
  expect(apply.stdout).toMatch(/bootstrap: OpenClaw is set up on/);
  // the health gate after the config change (inventory `health:`) asks the gateway as its user, with its home
  if (n.owner) expect(apply.stdout).toMatch(new RegExp(`${n.name}: healthy after [\\d.]+s \\(openclaw health --json as ${n.owner}\\)`));

  // OpenClaw's own checks: the config validates, the agents are listed, the gateway answers
  const validate = await sh(n.name, asGateway('openclaw config validate --json'));
  expect(validate.code, validate.out).toBe(0);
  expect(json(validate.out)).toMatchObject({ valid: true });
  const agents = await sh(n.name, asGateway('openclaw agents list --json'));
  expect(agents.code, agents.out).toBe(0);
  expect((json(agents.out) as { id: string }[]).map((a) => a.id).sort()).toEqual([...AGENTS].sort());
  const health = await sh(n.name, asGateway(`OPENCLAW_GATEWAY_PORT=${n.port} openclaw health --json`));
  expect(health.code, health.out).toBe(0);
  // the install lives on the node, not in the operator's cache
  const wrapper = await sh(n.name, 'cat /usr/local/bin/openclaw; ls /opt/openclaw');
  expect(wrapper.out).toContain(`/opt/openclaw/${n.version}/node_modules/openclaw/openclaw.mjs`);
  expect(wrapper.out).not.toContain(COMPAT);
  expect(wrapper.out).not.toContain(cache);
  expect(await credentialFiles(n.name, oc)).toEqual([]);
  if (n.owner) {
    // the user has the planned ids; what OpenClaw and clawfleet made is its; the gateway runs as it
    expect((await sh(n.name, `id -u ${n.owner}; id -g ${n.owner}`)).out.trim().split(/\s+/)).toEqual([String(id), String(id)]);
    const owners = await sh(n.name, `cd / && stat -c '%u:%g %n' ${oc} ${oc}/openclaw.json ${oc}/agents ${oc}/agents/coder $(find /openclaw-data -mindepth 1 -maxdepth 1 -type d ! -name .clawfleet)`);
    expect(owners.code, owners.out).toBe(0);
    const lines = owners.out.trim().split('\n');
    expect(lines.filter((l) => l.includes('/openclaw-data/')).length, owners.out).toBeGreaterThan(0);
    expect(
      lines.filter((l) => !l.startsWith(`${id}:${id} `)),
      owners.out,
    ).toEqual([]);
    const proc = await sh(n.name, 'stat -c %u /proc/$(cat /tmp/openclaw-gateway.pid)');
    expect(proc.out.trim(), proc.out).toBe(String(id));
    // the gateway, not root, can write its log (logging.file): the baseline's dataDirs made its dir the owner's
    const log = await sh(n.name, 'stat -c %u /openclaw-data/logs/openclaw.log');
    expect(log.out.trim(), log.out).toBe(String(id));
  }
  // the gateway token OpenClaw's setup generated never reaches clawfleet's output (the phase-2 config diff)
  const config = JSON.parse(await readFile(fleet.hostPath(n.name, `${oc}/openclaw.json`), 'utf8')) as { gateway?: { auth?: { token?: unknown } } };
  const token = config.gateway?.auth?.token;
  expect(typeof token === 'string' && token.length >= 16, 'onboard generates a gateway token').toBe(true);
  expect(apply.stdout + apply.stderr).not.toContain(token as string);

  const again = await cli(['plan', '-i', inv]);
  expect(again.code, again.stdout + again.stderr + (again.code === 0 ? '' : await gatewayState(n.name, 'the re-plan'))).toBe(0);
}

describe(`bootstrap of a bare node with the real OpenClaw ${VERSION}`, () => {
  it('cold operator-side cache: one apply installs, sets up, adds the agents, starts the gateway; a re-plan is empty', async () => {
    await bootstrapsInOneApply(NODES[0]!, 'cold');
  }, 1_200_000);

  it(`a node running another release (${OTHER}) gets the plan error naming both versions, and nothing changes`, async () => {
    const n = NODES[1]!;
    await sh(n.name, `printf '#!/bin/sh\\nexec %s "$@"\\n' '${COMPAT}/openclaw-${OTHER}/bin/openclaw' > /usr/local/bin/openclaw && chmod 755 /usr/local/bin/openclaw`);
    const inv = await inventory(n.name, n.port);
    const plan = await cli(['plan', '-i', inv]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(1);
    expect(plan.stdout + plan.stderr).toMatch(
      new RegExp(
        `error: ${n.name}: .*bootstrap install-openclaw: node runs OpenClaw ${OTHER.replace(/\./g, '\\.')} \\(/usr/local/bin/openclaw\\), baseline "openclaw-current" pins ${VERSION.replace(/\./g, '\\.')}`,
      ),
    );
    const apply = await cli(['apply', '-y', '-i', inv]);
    expect(apply.code).toBe(1);
    expect((await sh(n.name, 'ls /opt/openclaw 2>&1; ls /root/.openclaw 2>&1')).out).toMatch(/No such file[\s\S]*No such file/);
    await sh(n.name, 'rm /usr/local/bin/openclaw');
  }, 300_000);

  it(`warm operator-side cache (the tarballs packed by the first apply): the second node bootstraps the same way, its gateway user "${OWNER}" created by the same apply`, async () => {
    await bootstrapsInOneApply(NODES[1]!, 'warm');
  }, 1_200_000);

  it(`classic: ${OTHER} with the openclaw-classic baseline (the runtime's tarball warm, the release's cold)`, async () => {
    await bootstrapsInOneApply(NODES[2]!, 'classic-528');
  }, 1_200_000);
});
