// A node laid out like a real install: the gateway runs as its own user `openclaw` (uid ≠ 0), its OpenClaw
// home is 0700, its media dir a setgid 2770 dir of a `media` group, and another local user (`alice`) lives on
// the node. clawfleet logs in as root. After apply the gateway can read its config and create a file in every
// data dir; alice can read nothing she could not read before; rollback restores every owner, group and mode.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { SshNode } from '../../src/transport/ssh/ssh-node.js';
import { runCli } from '../helpers/run-cli.js';
import { startFleet, type Fleet } from './fleet.js';

const NODE = SCENARIO.find((n) => n.name === 'node02')!;
const OC = '/home/openclaw/.openclaw';
let fleet: Fleet;
let inv: string;

/** Owner, group, mode and kind of everything under the gateway's home and the data root (clawfleet's own state aside). */
const OWNERS = `find /home/openclaw /openclaw-data -path '*/.clawfleet' -prune -o -printf '%p %U:%G %m %y\\n' | sort`;

/** sha256 of every regular file under the two trees that USER can read (the listing is made by root). */
async function readableBy(user: string): Promise<string[]> {
  const script = [
    `find /home/openclaw /openclaw-data -path '*/.clawfleet' -prune -o -type f -print >/tmp/files`,
    `setpriv --reuid=${user} --regid=${user} --init-groups sh -c 'while IFS= read -r p; do sha256sum <"$p" 2>/dev/null; done' </tmp/files`,
    'true',
  ].join('; ');
  return (await fleet.exec(NODE.name, ['sh', '-c', script])).split('\n').filter(Boolean).sort();
}

/** Every dir under the two trees that USER can list (the listing of candidates is made by root). */
async function listableBy(user: string): Promise<string[]> {
  const script = [
    `find /home/openclaw /openclaw-data -path '*/.clawfleet' -prune -o -type d -print >/tmp/dirs`,
    `setpriv --reuid=${user} --regid=${user} --init-groups sh -c 'while IFS= read -r p; do ls -- "$p" >/dev/null 2>&1 && echo "$p"; done' </tmp/dirs`,
    'true',
  ].join('; ');
  return (await fleet.exec(NODE.name, ['sh', '-c', script])).split('\n').filter(Boolean).sort();
}

/** As the gateway user: read the config, then create (and remove) a file in every data dir, through its links. */
async function gatewayUses(): Promise<string> {
  const slots = ['memory', 'media', 'logs', 'browser', ...NODE.agents.flatMap((a) => [`agents/${a}/sessions`, `agents/${a}/memory`])];
  const tries = slots.map((s) => `if touch ${OC}/${s}/.gw-probe 2>/dev/null && rm ${OC}/${s}/.gw-probe; then echo "ok ${s}"; else echo "DENIED ${s}"; fi`);
  const script = [`if cat ${OC}/openclaw.json >/dev/null 2>&1; then echo 'ok config'; else echo 'DENIED config'; fi`, ...tries].join('\n');
  return fleet.exec(NODE.name, ['setpriv', '--reuid=openclaw', '--regid=openclaw', '--init-groups', 'sh', '-c', script]);
}

beforeAll(async () => {
  fleet = await startFleet({ names: [NODE.name], firstOctet: 221, users: ['openclaw', 'alice', 'deploy:nopasswd'] });
  await seedNode(fleet.node(NODE.name).hostRoot, NODE, (p) => p);
  // The seeded tree (root's) becomes the gateway's own install: its user, a 0700 home, a setgid media dir.
  await fleet.exec(NODE.name, [
    'sh',
    '-c',
    [
      'set -e',
      'groupadd -g 2500 media',
      'usermod -aG media openclaw',
      `mv /root/.openclaw ${OC}`,
      `chown -R openclaw:openclaw ${OC}`,
      `chmod 0700 ${OC}`,
      `chgrp -R media ${OC}/media`,
      // As a setgid dir's subdirs are once the gateway made them there: setgid too.
      `find ${OC}/media -type d -exec chmod 2770 {} +`,
    ].join('; '),
  ]);
  inv = join(fleet.dir, 'inventory.yaml');
  const n = fleet.node(NODE.name);
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\n` +
      `nodes:\n  ${NODE.name}:\n    host: ${n.host}\n    agents: [${NODE.agents.join(', ')}]\n    openclawHome: ${OC}\n    owner: openclaw\n`,
  );
}, 300_000);

afterAll(async () => {
  await fleet?.stop();
});

describe('a node with its own gateway user (root login)', () => {
  it('apply leaves everything usable by the gateway and no more readable by anyone else; rollback restores every owner and mode', async () => {
    const base = ['-i', inv, '--known-hosts', fleet.knownHosts];
    const owners = await fleet.exec(NODE.name, ['sh', '-c', OWNERS]);
    const aliceBefore = await readableBy('alice');
    const dirsBefore = await listableBy('alice');
    const gwBefore = await readableBy('openclaw');
    expect(gwBefore.length).toBeGreaterThan(10);

    const apply = await runCli(['apply', '-y', ...base]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(apply.stdout)![1]!;
    const uses = await gatewayUses();
    expect(uses, uses).not.toMatch(/DENIED/);
    expect(uses.split('\n').filter((l) => l.startsWith('ok ')).length).toBe(5 + 2 * NODE.agents.length);
    // The gateway still reads every file it read before (now behind its links); alice no content she could not read.
    expect((await readableBy('openclaw')).length).toBe(gwBefore.length);
    const aliceAfter = await readableBy('alice');
    expect(aliceAfter.filter((h) => !aliceBefore.includes(h))).toEqual([]);
    // Nor list a dir she could not list before, but the data root itself (its names are the baseline's).
    expect((await listableBy('alice')).filter((d) => !dirsBefore.includes(d) && d !== '/openclaw-data')).toEqual([]);
    // The links in its home are the gateway's own (lchown), like everything else there.
    expect(await fleet.exec(NODE.name, ['sh', '-c', `find ${OC} -path '*/.clawfleet' -prune -o -type l ! -user openclaw -print`])).toBe('');
    expect(await fleet.exec(NODE.name, ['sh', '-c', `find ${OC} -type l | wc -l`])).not.toBe('0\n');
    const after = await fleet.exec(NODE.name, ['sh', '-c', `stat -c '%n %U:%G %a' ${OC}/openclaw.json /openclaw-data/media /openclaw-data/memory /openclaw-data/agents/coder/sessions`]);
    expect(after).toBe(
      `${OC}/openclaw.json openclaw:openclaw 600\n/openclaw-data/media openclaw:media 2770\n/openclaw-data/memory openclaw:openclaw 700\n/openclaw-data/agents/coder/sessions openclaw:openclaw 700\n`,
    );

    // Converged: plan and check find no owner or mode drift.
    const again = await runCli(['plan', ...base]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const checked = await runCli(['check', ...base]);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);

    const rb = await runCli(['rollback', runId, '-y', ...base]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(await fleet.exec(NODE.name, ['sh', '-c', OWNERS])).toBe(owners);
    console.log(`gateway-owner (ms): apply ${Math.round(apply.ms)}, converged plan ${Math.round(again.ms)}, rollback ${Math.round(rb.ms)}; alice reads ${aliceAfter.length} files (before ${aliceBefore.length}), the gateway ${gwBefore.length}`);
  }, 600_000);

  it('owner and mode drift made by hand is planned as set-owner, applied, and rolled back exactly', async () => {
    const base = ['-i', inv, '--known-hosts', fleet.knownHosts];
    const first = await runCli(['apply', '-y', ...base]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await fleet.exec(NODE.name, ['sh', '-c', `chown root:root /openclaw-data/logs ${OC}/openclaw.json && chmod 0755 /openclaw-data/logs`]);
    const owners = await fleet.exec(NODE.name, ['sh', '-c', OWNERS]);
    // check: ✗ from the facts (uid, gid, mode), in text and JSON; the config's owner counts against every config item.
    const check = await runCli(['check', ...base]);
    expect(check.code, check.stdout + check.stderr).toBe(2);
    expect(check.stdout).toMatch(/node02\s+✗ owner\s+✗ owner\s+✗ owner\+mode\s+✗ owner\s/);
    expect(check.stdout).toContain('✗ node02 logs: the gateway (openclaw) cannot write /openclaw-data/logs (0:0 0755)');
    expect(check.stdout).toContain('✗ node02 logs: /openclaw-data/logs is more open (0755) than the OpenClaw home lets it be');
    expect(check.stdout).toContain(`✗ node02 memory: the gateway (openclaw) cannot read and write ${OC}/openclaw.json (0:0 0600)`);
    const json = await runCli(['check', '-f', 'json', ...base]);
    expect(json.code).toBe(2);
    const cells = JSON.parse(json.stdout).rows[0].cells;
    expect(cells.logs).toMatchObject({ state: 'drift', what: ['owner', 'mode'] });
    expect(cells.memory).toMatchObject({ state: 'drift', what: ['owner'] });
    expect(cells.sessions).toEqual({ state: 'ok' });
    // plan: set-owner actions; the 0755 dir behind the 0700 home is narrowed to 0700.
    const plan = await runCli(['plan', ...base]);
    expect(plan.stdout).toMatch(/~ owner\s+\/openclaw-data\/logs\s+0:0 0755 → \d+:\d+ 0700/);
    expect(plan.stdout).toMatch(/~ owner\s+\/home\/openclaw\/\.openclaw\/openclaw\.json\s+0:0 0600 → \d+:\d+ 0600/);
    const apply = await runCli(['apply', '-y', ...base]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(await gatewayUses()).not.toMatch(/DENIED/);
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(apply.stdout)![1]!;
    const rb = await runCli(['rollback', runId, '-y', ...base]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(await fleet.exec(NODE.name, ['sh', '-c', OWNERS])).toBe(owners);
  }, 600_000);

  it('a non-root login with become: sudo fixes owners and modes the same way, and rolls them back exactly', async () => {
    const sudoInv = join(fleet.dir, 'inventory-deploy.yaml');
    await writeFile(sudoInv, (await readFile(inv, 'utf8')).replace('  user: root\n', '  user: deploy\n  become: sudo\n'));
    const base = ['-i', sudoInv, '--known-hosts', fleet.knownHosts];
    const first = await runCli(['apply', '-y', ...base]);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await fleet.exec(NODE.name, ['sh', '-c', `chown root:root /openclaw-data/media ${OC}/openclaw.json && chmod 0700 /openclaw-data/media`]);
    const owners = await fleet.exec(NODE.name, ['sh', '-c', OWNERS]);
    const plan = await runCli(['plan', ...base]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    // root's group is not one of the gateway's: the dir becomes the gateway's user and group; its mode (chmod
    // keeps a dir's setgid bit) stays.
    expect(plan.stdout).toMatch(/~ owner\s+\/openclaw-data\/media\s+0:0 2700 → \d+:\d+ 2700/);
    const apply = await runCli(['apply', '-y', ...base]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(await gatewayUses()).not.toMatch(/DENIED/);
    const check = await runCli(['check', ...base]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(apply.stdout)![1]!;
    const rb = await runCli(['rollback', runId, '-y', ...base]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(await fleet.exec(NODE.name, ['sh', '-c', OWNERS])).toBe(owners);
  }, 600_000);

  it('setOwner over SFTP never follows a link: refused, and what it points to keeps its owner and mode', async () => {
    await fleet.exec(NODE.name, ['sh', '-c', 'printf x >/tmp/victim && chmod 0600 /tmp/victim && ln -sfn /tmp/victim /openclaw-data/lnk']);
    const w = await SshNode.open({ node: NODE.name, host: fleet.node(NODE.name).host, user: 'root', identityFiles: [fleet.clientKey], knownHostsFiles: [fleet.knownHosts], agent: '' });
    try {
      await expect(w.setOwner('/openclaw-data/lnk', { uid: 1001, gid: 1001, mode: 0o777 })).rejects.toMatchObject({ code: 'ELOOP' });
      // A real dir through the same call: owner first, then the exact mode (setgid included).
      await fleet.exec(NODE.name, ['sh', '-c', 'mkdir -p /openclaw-data/owned-probe']);
      await w.setOwner('/openclaw-data/owned-probe', { uid: 1001, gid: 2500, mode: 0o2750 });
    } finally {
      await w.close();
    }
    expect(await fleet.exec(NODE.name, ['sh', '-c', "stat -c '%u:%g %a' /tmp/victim /openclaw-data/owned-probe; rm -rf /openclaw-data/lnk /openclaw-data/owned-probe /tmp/victim"])).toBe('0:0 600\n1001:2500 2750\n');
  }, 120_000);

  it("the bootstrap probe asks the node's runuser whether a user may make or write an OpenClaw home, and changes nothing", async () => {
    const w = await SshNode.open({ node: NODE.name, host: fleet.node(NODE.name).host, user: 'root', identityFiles: [fleet.clientKey], knownHostsFiles: [fleet.knownHosts], agent: '' });
    const before = await fleet.exec(NODE.name, ['sh', '-c', OWNERS]);
    try {
      const can = async (user: string, dir: string) => (await w.bootstrapFacts({ prefix: '/opt/none', writableAs: { user, dir } })).ownerCanWrite;
      expect(await can('openclaw', OC)).toBe(true); // its own 0700 home
      expect(await can('alice', OC)).toBe(false); // another user's 0700 home
      expect(await can('openclaw', '/home/openclaw/new/.openclaw')).toBe(true); // not there yet: its own home is the parent
      expect(await can('openclaw', '/srv/oc/.openclaw')).toBe(false); // not there yet: root's /srv (or /) is the parent
      expect(await can('nobody-here', OC)).toBeUndefined(); // no such user: not asked
    } finally {
      await w.close();
    }
    expect(await fleet.exec(NODE.name, ['sh', '-c', OWNERS])).toBe(before);
  }, 120_000);
});
