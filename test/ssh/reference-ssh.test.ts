// The reference scenario over real SSH: 4 isolated sshd nodes (scripts/test-fleet.sh), the built CLI.
import { createServer, type Server } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO, demoKey } from '../../src/demo/scenario-data.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { seedReferenceFleet } from '../helpers/ssh-scenario.js';
import { startFleet, testAddr, type Fleet } from './fleet.js';

const NAMES = SCENARIO.map((n) => n.name);
let fleet: Fleet;
let inv: string;
const timings: Record<string, number> = {};

async function snapshots(): Promise<Map<string, string>> {
  const all = new Map<string, string>();
  for (const n of NAMES) {
    for (const sub of ['root', 'openclaw-data']) {
      for (const [k, v] of await snapshotTree(`${fleet.node(n).hostRoot}/${sub}`)) all.set(`${n}/${sub}/${k}`, v);
    }
  }
  return all;
}

/** Every line of output, as a user sees it: no stack traces, no secrets. */
function expectClean(r: CliResult): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/\n\s+at /);
  for (const n of SCENARIO) for (const a of [...n.agents, ...n.orphans]) expect(all).not.toContain(demoKey(n.name, a));
}

function oneLineError(r: CliResult, node: string): string {
  expect(r.code).toBe(1);
  const lines = (r.stdout + r.stderr).split('\n').filter((l) => l.includes(`${node}:`) && /error|refused|failed/i.test(l) && !l.includes('see errors'));
  expect(lines.length, r.stdout + r.stderr).toBeGreaterThan(0);
  return lines[0]!;
}

beforeAll(async () => {
  fleet = await startFleet({ names: NAMES, firstOctet: 41 });
  inv = await seedReferenceFleet(fleet);
});

afterAll(async () => {
  await fleet?.stop();
  // eslint-disable-next-line no-console
  console.log(`reference fleet over SSH (ms): ${JSON.stringify(timings)}`);
});

const base = () => ['-i', inv, '--known-hosts', fleet.knownHosts];

describe('reference scenario over SSH (4 isolated sshd nodes)', () => {
  it('refuses bad connections with one line naming the node, and changes nothing', async () => {
    const before = await snapshots();
    // unknown host key: an empty known_hosts
    const empty = `${fleet.dir}/empty_known_hosts`;
    await writeFile(empty, '');
    const unknown = await runCli(['plan', '-i', inv, '--known-hosts', empty, '--limit', 'node02']);
    expect(oneLineError(unknown, 'node02')).toMatch(/SHA256:[A-Za-z0-9+/]{43}/);
    expect((await runCli(['apply', '-y', '-i', inv, '--known-hosts', empty])).code).toBe(1);

    // changed host key: known_hosts names another key for node03's address
    const other = execFileSync('ssh-keygen', ['-y', '-f', fleet.clientKey]).toString().trim();
    const changed = `${fleet.dir}/changed_known_hosts`;
    await writeFile(changed, `${fleet.node('node03').host} ${other.split(' ').slice(0, 2).join(' ')}\n`);
    const ch = await runCli(['plan', '-i', inv, '--known-hosts', changed, '--limit', 'node03', '--trust-new-host-keys']);
    expect(oneLineError(ch, 'node03')).toMatch(/changed|SHA256/i);

    // wrong client key
    const wrongKey = `${fleet.dir}/wrong_key`;
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
    const wrongInv = await seedInventoryCopy(inv, fleet.clientKey, wrongKey);
    const wk = await runCli(['apply', '-y', '-i', wrongInv, '--known-hosts', fleet.knownHosts, '--limit', 't440']);
    expect(oneLineError(wk, 't440')).toMatch(/auth/i);

    // refused port
    const refusedInv = await seedInventoryCopy(inv, 'port: 22', 'port: 2');
    const rp = await runCli(['apply', '-y', '-i', refusedInv, '--known-hosts', fleet.knownHosts, '--limit', 'node04']);
    expect(oneLineError(rp, 'node04')).toMatch(/refused/i);

    // silent server: accepts TCP, never speaks SSH
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(2299, testAddr(49), r));
    try {
      const silentInv = await seedInventoryCopy(inv, `host: ${fleet.node('node02').host}`, `host: ${testAddr(49)}\n    port: 2299`);
      const t = await runCli(['plan', '-i', silentInv, '--known-hosts', fleet.knownHosts, '--limit', 'node02', '--connect-timeout', '1']);
      expect(oneLineError(t, 'node02')).toMatch(/no SSH handshake .* within 1s/);
    } finally {
      silent.close();
    }
    for (const r of [unknown, ch, wk, rp]) expectClean(r);
    expect(diffSnapshots(before, await snapshots())).toEqual([]);
  });

  it('plans the drift, applies it, re-plans to nothing and rolls back to the original bytes', { timeout: 300_000 }, async () => {
    const before = await snapshots();
    const plan = await runCli(['plan', ...base()]);
    timings.plan = Math.round(plan.ms);
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/node02: 25 changes/);
    expect(plan.stdout).toMatch(/node03: 1 change/);
    expect(plan.stdout).toContain('agents/main  ⚠ holds credentials');
    expectClean(plan);

    const apply = await runCli(['apply', '-y', ...base()]);
    timings.apply = Math.round(apply.ms);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('Apply: 4 changed');
    expectClean(apply);
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(apply.stdout)![1]!;

    const again = await runCli(['plan', ...base()]);
    timings.planConverged = Math.round(again.ms);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('4 up to date');

    // the data really moved behind the links, seen from inside the node
    const seen = await fleet.exec('node02', ['sh', '-c', 'readlink /root/.openclaw/agents/coder/sessions; cat /root/.openclaw/agents/coder/sessions/s-coder-1.jsonl']);
    expect(seen).toContain('/openclaw-data/agents/coder/sessions');
    expect(seen).toContain('hello from node02/coder');

    const runs = await runCli(['runs', ...base(), '--limit', 't440']);
    expect(runs.stdout).toContain(runId);

    const rb = await runCli(['rollback', runId, '-y', ...base()]);
    timings.rollback = Math.round(rb.ms);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(diffSnapshots(before, await snapshots())).toEqual([]);
    // and the fleet converges again after the rollback
    expect((await runCli(['apply', '-y', ...base()])).code).toBe(0);
    expect((await runCli(['plan', ...base()])).code).toBe(0);
    expect((await runCli(['rollback', runId, '-y', ...base()])).code).toBe(0); // nothing left to undo of the first run
  });

  it('a locked node refuses naming the holder; unlock by run id releases it', async () => {
    const lock = fleet.hostPath('node03', '/root/.clawfleet/lock');
    await mkdir(lock, { recursive: true });
    await writeFile(`${lock}/holder.json`, JSON.stringify({ runId: '20260101T000000Z-dead', by: 'alice@laptop', pid: 1, at: '2026-01-01T00:00:00Z', purpose: 'apply' }));
    // make node03 drift again so apply has something to do
    const cfg = fleet.hostPath('node03', '/root/.openclaw/openclaw.json');
    const text = await readFile(cfg, 'utf8');
    await writeFile(cfg, text.replace('"browser"', '"browser_off"').replace(/browser:/, 'browser_off:'));
    const refused = await runCli(['apply', '-y', ...base(), '--limit', 'node03']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/node03: .*locked by run 20260101T000000Z-dead by alice@laptop/);
    const wrong = await runCli(['unlock', '--run', '20260101T000000Z-beef', ...base(), '--limit', 'node03']);
    expect(wrong.code).toBe(1);
    const ok = await runCli(['unlock', '--run', '20260101T000000Z-dead', ...base(), '--limit', 'node03']);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    await writeFile(cfg, text);
  });

  it('trusting a new host key is explicit and records it', async () => {
    const kh = `${fleet.dir}/fresh_known_hosts`;
    await writeFile(kh, '');
    const r = await runCli(['plan', '-i', inv, '--known-hosts', kh, '--limit', 't440', '--trust-new-host-keys']);
    expect(r.code, r.stdout + r.stderr).not.toBe(1);
    expect(await readFile(kh, 'utf8')).toContain(fleet.node('t440').hostKeyPub.split(' ')[1]!);
    const again = await runCli(['plan', '-i', inv, '--known-hosts', kh, '--limit', 't440']);
    expect(again.code).not.toBe(1);
  });
});

async function seedInventoryCopy(from: string, search: string, replace: string): Promise<string> {
  const to = `${from}.${Math.random().toString(16).slice(2, 8)}.yaml`;
  await copyFile(from, to);
  const text = await readFile(to, 'utf8');
  expect(text).toContain(search);
  await writeFile(to, text.split(search).join(replace));
  return to;
}
