// Bastions over real SSH: node02 has a name only the fleet's nodes resolve (`node02-private`), so the
// client reaches it through the bastion node or not at all; ProxyJump (one and two hops, every hop's host
// key checked), ProxyCommand run as ssh runs it, and a failing ProxyCommand never leads to a direct
// connection (node02's sshd sees none).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { runCli } from '../helpers/run-cli.js';
import { startFleet, testAddr, type Fleet } from './fleet.js';

let fleet: Fleet;
let inv: string;
let cfg: string;
let kh: string;
const node02 = SCENARIO.find((n) => n.name === 'node02')!;

/** sshd's "Accepted publickey" lines of a node so far: every login that reached it. */
async function logins(name: string): Promise<number> {
  return (await readFile(join(fleet.node(name).hostRoot, 'sshd.log'), 'utf8')).split('\n').filter((l) => l.includes('Accepted publickey')).length;
}

beforeAll(async () => {
  fleet = await startFleet({
    names: ['bastion', 'hop2', 'node02'],
    firstOctet: 211,
    etcHosts: { 'node02-private': testAddr(213), 'hop2-private': testAddr(212) },
  });
  await seedNode(fleet.node('node02').hostRoot, node02, (p) => p);
  const key = fleet.clientKey;
  const pub = (n: string) => fleet.node(n).hostKeyPub;
  kh = join(fleet.dir, 'known_hosts_private');
  await writeFile(kh, `${await readFile(fleet.knownHosts, 'utf8')}node02-private ${pub('node02')}\nhop2-private ${pub('hop2')}\n`);
  cfg = join(fleet.dir, 'ssh_config');
  const sshW = `ssh -F none -i ${key} -o UserKnownHostsFile=${kh} -o StrictHostKeyChecking=yes -o BatchMode=yes -W %h:%p root@${testAddr(211)}`;
  await writeFile(
    cfg,
    [
      'Host bastion',
      `  HostName ${testAddr(211)}`,
      'Host node02-cmd-fails',
      `  HostName ${testAddr(213)}`,
      `  ProxyCommand sh -c 'echo "bastion says no" >&2; exit 3'`,
      'Host node02 node02-*',
      '  HostName node02-private',
      'Host node02',
      '  ProxyJump bastion',
      'Host node02-twohops',
      '  ProxyJump bastion,hop2-private',
      'Host node02-cmd',
      `  ProxyCommand ${sshW}`,
      'Host node02-nojump',
      'Host *',
      '  User root',
      `  IdentityFile ${key}`,
      '',
    ].join('\n'),
  );
  inv = join(fleet.dir, 'inventory.yaml');
  await writeFile(inv, `version: 1\ndefaults:\n  transport: ssh\n  baseline: openclaw-classic\nnodes:\n  node02:\n    host: node02\n    agents: [${node02.agents.join(', ')}]\n`);
});

afterAll(async () => {
  await fleet?.stop();
});

const withHost = async (alias: string): Promise<string> => {
  const to = join(fleet.dir, `inventory-${alias}.yaml`);
  await writeFile(to, (await readFile(inv, 'utf8')).replace('host: node02\n', `host: ${alias}\n`));
  return to;
};
const cli = (args: string[], invFile = inv, known = kh) => runCli([...args, '-i', invFile, '--ssh-config', cfg, '--known-hosts', known]);

describe('bastions (ProxyJump, ProxyCommand)', () => {
  it('a node reachable only through a bastion converges through it', async () => {
    // Without the jump, node02-private does not even resolve here.
    const direct = await cli(['plan'], await withHost('node02-nojump'));
    expect(direct.code).toBe(1);
    expect(direct.stdout + direct.stderr).toMatch(/node02: cannot resolve host node02-private/);
    const bastionBefore = await logins('bastion');
    const plan = await cli(['plan']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/node02: 25 changes/);
    const apply = await cli(['apply', '-y']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    const again = await cli(['plan']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await fleet.exec('node02', ['readlink', '/root/.openclaw/agents/coder/sessions'])).toBe('/openclaw-data/agents/coder/sessions\n');
    expect(await logins('bastion')).toBeGreaterThanOrEqual(bastionBefore + 3);
  });

  it('two hops, each host key checked strictly; an unknown hop key is refused naming the hop', async () => {
    const hop2Before = await logins('hop2');
    const two = await cli(['plan'], await withHost('node02-twohops'));
    expect(two.code, two.stdout + two.stderr).not.toBe(1);
    expect(await logins('hop2')).toBe(hop2Before + 1);
    const noHop2 = join(fleet.dir, 'known_hosts_no_hop2');
    await writeFile(noHop2, (await readFile(kh, 'utf8')).split('\n').filter((l) => !l.startsWith('hop2-private ')).join('\n'));
    const nodeBefore = await logins('node02');
    const refused = await cli(['plan'], await withHost('node02-twohops'), noHop2);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/node02: jump host hop2-private \(hop2-private:22\): host key of hop2-private:22 is not in known_hosts \(ssh-ed25519 SHA256:/);
    expect(await logins('node02')).toBe(nodeBefore);
  });

  it('runs a ProxyCommand as ssh does (%h %p expanded)', async () => {
    const bastionBefore = await logins('bastion');
    const r = await cli(['plan'], await withHost('node02-cmd'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await logins('bastion')).toBe(bastionBefore + 1);
  });

  it('a failing ProxyCommand is one line naming it, and never leads to a direct connection', async () => {
    const before = await logins('node02');
    for (const cmd of [['plan'], ['apply', '-y']]) {
      const r = await cli(cmd, await withHost('node02-cmd-fails'));
      expect(r.code).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/node02: ProxyCommand "sh -c 'echo "bastion says no" >&2; exit 3'" exited with code 3 before the SSH session was up: bastion says no; not connecting around it/);
    }
    expect(await logins('node02')).toBe(before);
  });
});
