// `become: sudo` over real SSH: the reference scenario converged (and rolled back) by a non-root login with
// passwordless sudo, in the same round trips as a root login; a login whose sudo wants a password refused
// with one line; a login that cannot write where the plan writes refused at plan time, before any write.
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { loadInventory } from '../../src/inventory/load-inventory.js';
import { SshNode } from '../../src/transport/ssh/ssh-node.js';
import { runCli } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { seedReferenceFleet } from '../helpers/ssh-scenario.js';
import { startFleet, type Fleet } from './fleet.js';

const NAMES = SCENARIO.map((n) => n.name);
let fleet: Fleet;
let rootInv: string;

async function snapshots(sub = ['root', 'openclaw-data', 'home']): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const n of NAMES) for (const s of sub) for (const [k, v] of await snapshotTree(`${fleet.node(n).hostRoot}/${s}`)) all.set(`${n}/${s}/${k}`, v);
  return all;
}

/** The reference inventory, logging in as `user` (with `become: sudo` unless `become` is false). */
async function inventoryAs(user: string, become: boolean, extra = ''): Promise<string> {
  const text = await readFile(rootInv, 'utf8');
  const to = `${fleet.dir}/inventory-${user}-${become ? 'sudo' : 'plain'}.yaml`;
  await writeFile(to, text.replace('  user: root\n', `  user: ${user}\n${become ? '  become: sudo\n' : ''}${extra}`));
  return to;
}

beforeAll(async () => {
  fleet = await startFleet({ names: NAMES, firstOctet: 201, users: ['deploy:nopasswd', 'ops:passwd'] });
  rootInv = await seedReferenceFleet(fleet);
});

afterAll(async () => {
  await fleet?.stop();
});

describe('become: sudo (a non-root login)', () => {
  it('converges the reference scenario, re-plans to nothing and rolls back to the original bytes', async () => {
    const inv = await inventoryAs('deploy', true);
    const base = ['-i', inv, '--known-hosts', fleet.knownHosts];
    const before = await snapshots();
    // deploy itself cannot even look into /root (0700): everything below runs through sudo -n.
    expect(await fleet.exec('node02', ['sh', '-c', 'setpriv --reuid=deploy --regid=deploy --init-groups ls /root/.openclaw 2>&1 || true'])).toMatch(/Permission denied/);
    const plan = await runCli(['plan', ...base]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/node02: 25 changes/);
    expect(plan.stdout).toMatch(/node03: 1 change/);
    const apply = await runCli(['apply', '-y', ...base]);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply: 4 changed');
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(apply.stdout)![1]!;
    const again = await runCli(['plan', ...base]);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('4 up to date');
    // The same end state a root login reaches: seen from inside the node.
    const seen = await fleet.exec('node02', ['sh', '-c', 'readlink /root/.openclaw/agents/coder/sessions; stat -c %U /openclaw-data/agents/coder/sessions']);
    expect(seen).toBe('/openclaw-data/agents/coder/sessions\nroot\n');
    // A root login agrees that the fleet is converged.
    expect((await runCli(['plan', '-i', rootInv, '--known-hosts', fleet.knownHosts])).code).toBe(0);
    const rb = await runCli(['rollback', runId, ...base]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(diffSnapshots(before, await snapshots())).toEqual([]);
    console.log(`become: sudo (ms): plan ${Math.round(plan.ms)}, apply ${Math.round(apply.ms)}, converged plan ${Math.round(again.ms)}, rollback ${Math.round(rb.ms)}`);
  }, 300_000);

  it('gathers facts in the same round trips as a root login', async () => {
    const { baseline } = await loadBaseline('openclaw-classic', [BUILTIN_PLANS]);
    const spec = (await loadInventory(await inventoryAs('deploy', true))).nodes.find((n) => n.name === 'node02')!;
    const w = await SshNode.open({ node: 'node02', host: spec.host, user: 'deploy', become: 'sudo', identityFiles: [fleet.clientKey], knownHostsFiles: [fleet.knownHosts], agent: '' });
    try {
      expect(await w.home()).toBe('/root');
      const before = { exec: w.execCount, probe: w.probeCount, sftp: w.sftpCount };
      const { facts } = await gatherFacts(w, spec, baseline);
      expect(facts.config.text).toContain('OpenClaw config for node02');
      expect({ exec: w.execCount - before.exec, probe: w.probeCount - before.probe, sftp: w.sftpCount - before.sftp }).toEqual({ exec: 3, probe: 2, sftp: 0 });
      expect(facts.writable).toEqual({}); // root (through sudo) may write everywhere: not asked
    } finally {
      await w.close();
    }
  });

  it('a login whose sudo wants a password: one line naming the node, nothing written', async () => {
    const inv = await inventoryAs('ops', true);
    const before = await snapshots();
    for (const cmd of [['plan'], ['apply', '-y']]) {
      const r = await runCli([...cmd, '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node03']);
      expect(r.code).toBe(1);
      const line = (r.stdout + r.stderr).split('\n').find((l) => l.includes('node03:') && /sudo/.test(l));
      expect(line, r.stdout + r.stderr).toMatch(/node03: become: sudo: sudo -n wants a password.*ops@[\d.]+:22/);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(diffSnapshots(before, await snapshots())).toEqual([]);
  });

  it('a login that cannot write where the plan writes is a plan error naming node and path, not an apply failure', async () => {
    // deploy's own OpenClaw home (it may write there), and the root-owned /openclaw-data (0755) it may not.
    await fleet.exec('node04', ['sh', '-c', 'cp -a /root/.openclaw /home/deploy/.openclaw && chown -R deploy:deploy /home/deploy/.openclaw']);
    const inv = await inventoryAs('deploy', false);
    const before = await snapshots();
    const plan = await runCli(['plan', '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node04']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(1);
    expect(plan.stdout + plan.stderr).toMatch(/node04: \/openclaw-data: the plan must write here and the login user cannot: log in as root or set `become: sudo`/);
    const apply = await runCli(['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node04']);
    expect(apply.code).toBe(1);
    expect(diffSnapshots(before, await snapshots())).toEqual([]);
    // With sudo the same login plans cleanly again (its home is then root's).
    expect((await runCli(['plan', '-i', await inventoryAs('deploy', true), '--known-hosts', fleet.knownHosts, '--limit', 'node04'])).code).not.toBe(1);
  });
});
