// Issue 14: `clawfleet watch` on the reference scenario over real SSH, alerts caught by a real HTTP receiver.
import { createServer, type Server } from 'node:http';
import { chmod, mkdtemp, readFile, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../src/check/schema.js';
import { SCENARIO, T440_AGENTS, demoKey } from '../../src/demo/scenario-data.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { seedReferenceFleet } from '../helpers/ssh-scenario.js';
import { startFleet, testAddr, type Fleet } from './fleet.js';

interface Alert {
  format: string;
  events: { kind: string; node: string; item?: string; message: string; credential?: { kind: string; agents: string[]; fingerprint?: string } }[];
}

let fleet: Fleet;
let inv: string;
let dir: string;
let server: Server;
let status = 200;
const received: string[] = [];
const RECEIVER = `http://${testAddr(149)}:18149/alerts`;
const NEW_KEY = 'sk-ant-api03-DASHBOARDxREPLACEDxKEYxxxxxxxxxxxxxxxxxxxx';

// every payload is what schema/alert.schema.json publishes
const alerts = (): Alert[] => received.map((b) => AlertSchema.parse(JSON.parse(b)) as Alert);

async function watch(extra: string[] = [], invFile = inv): Promise<CliResult> {
  const r = await runCli(['watch', '-i', invFile, '--known-hosts', fleet.knownHosts, '--webhook', RECEIVER, '--state', join(dir, 'state.json'), '--secret-file', join(dir, 'fleet-secret'), '--retries', '2', '--retry-delay', '50', ...extra]);
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/\n\s+at /);
  expect(all).not.toContain(NEW_KEY);
  for (const n of SCENARIO) for (const a of [...n.agents, ...n.orphans]) expect(all).not.toContain(demoKey(n.name, a));
  return r;
}

/** Runs watch and returns the alert messages it sent (and checks how many). */
async function watchSends(n: number, extra: string[] = [], invFile = inv): Promise<Alert[]> {
  const before = received.length;
  const r = await watch(extra, invFile);
  const got = alerts().slice(before);
  expect(got.length, `${r.stdout}${r.stderr}`).toBe(n);
  return got;
}

const cfg = (node: string) => fleet.hostPath(node, '/root/.openclaw/openclaw.json');
const dropSection = (text: string, key: string) => {
  const out = text.replace(new RegExp(`  "?${key}"?: \\{[\\s\\S]*?\\n  \\},?\\n|  ${key}: \\{[^\\n]*\\},?\\n`), '');
  expect(out).not.toBe(text);
  return out;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-watch-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (status === 200) received.push(body);
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(18149, testAddr(149), r));
  fleet = await startFleet({ names: SCENARIO.map((n) => n.name), firstOctet: 241 }); // 241–244: no other suite uses them (the shard fleet takes 100–163)
  inv = await seedReferenceFleet(fleet);
  const a = await runCli(['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts]);
  expect(a.code, a.stdout + a.stderr).toBe(0);
});

afterAll(async () => {
  await fleet?.stop();
  await new Promise((r) => server?.close(r));
});

describe('watch over SSH (reference scenario, 4 sshd nodes, a real HTTP receiver)', { timeout: 300_000 }, () => {
  it('a converged fleet: the first run records and sends nothing; the fleet secret is 0600', async () => {
    await watchSends(0);
    expect(((await import('node:fs')).statSync(join(dir, 'fleet-secret')).mode & 0o777).toString(8)).toBe('600');
    expect(((await import('node:fs')).statSync(join(dir, 'state.json')).mode & 0o777).toString(8)).toBe('600');
  });

  it('a node that drifts between two runs: exactly one alert; no repeat; its repair: one "resolved"', async () => {
    const text = await readFile(cfg('node03'), 'utf8');
    await writeFile(cfg('node03'), dropSection(text, 'browser'));
    const [a] = await watchSends(1);
    expect(a!.format).toBe('clawfleet-alert');
    expect(a!.events).toHaveLength(1);
    expect(a!.events[0]).toMatchObject({ kind: 'drift', node: 'node03', item: 'browser' });
    await watchSends(0); // the same drift again: known, quiet
    const fix = await runCli(['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node03']);
    expect(fix.code, fix.stdout).toBe(0);
    const [b] = await watchSends(1);
    expect(b!.events).toEqual([expect.objectContaining({ kind: 'resolved', node: 'node03', item: 'browser' })]);
  });

  it('a waived item stays quiet until its waiver expires, then alerts once', async () => {
    const expires = new Date(Date.now() + 25_000).toISOString().replace(/\.\d+Z$/, 'Z');
    await writeFile(join(fleet.dir, 'waivers.yaml'), `version: 1\nwaivers:\n  - node: node03\n    item: logs\n    reason: debug logging on node03 until the ticket closes\n    expires: ${expires}\n`);
    const text = await readFile(cfg('node03'), 'utf8');
    await writeFile(cfg('node03'), dropSection(text, 'logging'));
    await watchSends(0);
    const check = await runCli(['check', '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node03', '--no-openclaw-checks']);
    expect(check.code, check.stdout + check.stderr).toBe(0); // waived drift does not fail the check
    expect(check.stdout).toMatch(/~ config/);
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expires) - Date.now() + 500)));
    const [a] = await watchSends(1);
    expect(a!.events).toEqual([expect.objectContaining({ kind: 'drift', node: 'node03', item: 'logs' })]);
    expect(a!.events[0]!.message).toContain('waiver ended');
    await writeFile(cfg('node03'), text);
    await watchSends(1); // resolved
  });

  it('one new key replacing the key of 15 agents on t440: one credential alert naming the 15 agents, no key material', async () => {
    for (const agent of T440_AGENTS) {
      const f = fleet.hostPath('t440', `/root/.openclaw/agents/${agent}/agent/auth-profiles.json`);
      await writeFile(f, JSON.stringify({ version: 1, profiles: { 'anthropic:default': { type: 'api_key', provider: 'anthropic', key: NEW_KEY } } }, null, 2));
      await chmod(f, 0o600);
    }
    const [a] = await watchSends(1);
    expect(a!.events).toHaveLength(1);
    const e = a!.events[0]!;
    expect(e.kind).toBe('credential');
    expect(e.credential!.kind).toBe('shared-key');
    expect(e.credential!.agents).toEqual([...T440_AGENTS].sort());
    for (const agent of T440_AGENTS) expect(e.message).toContain(agent);
    const raw = received[received.length - 1]!;
    expect(raw).not.toContain(NEW_KEY);
    expect(raw).not.toContain('DASHBOARD');
    for (const agent of T440_AGENTS) expect(raw).not.toContain(demoKey('t440', agent));
    const state = await readFile(join(dir, 'state.json'), 'utf8');
    expect(state).not.toContain('DASHBOARD');
    expect(state).not.toContain(demoKey('t440', 'coder'));
    await watchSends(0); // the new key is known now
  });

  it('a credential file made readable by others: one alert', async () => {
    await chmod(fleet.hostPath('t440', '/root/.openclaw/agents/coder/agent/auth-profiles.json'), 0o644);
    const [a] = await watchSends(1);
    expect(a!.events).toEqual([expect.objectContaining({ kind: 'credential', credential: expect.objectContaining({ kind: 'mode-widened', agents: ['coder'] }) })]);
    await chmod(fleet.hostPath('t440', '/root/.openclaw/agents/coder/agent/auth-profiles.json'), 0o600);
  });

  it('a node that stops answering: one alert; back: one', async () => {
    const dead = `${inv}.dead.yaml`;
    await copyFile(inv, dead);
    const text = await readFile(dead, 'utf8');
    await writeFile(dead, text.replace(`host: ${fleet.node('node04').host}`, `host: ${fleet.node('node04').host}\n    port: 2`));
    const [a] = await watchSends(1, [], dead);
    expect(a!.events).toEqual([expect.objectContaining({ kind: 'unreachable', node: 'node04' })]);
    await watchSends(0, [], dead);
    const [b] = await watchSends(1);
    expect(b!.events).toEqual([expect.objectContaining({ kind: 'reachable', node: 'node04' })]);
  });

  it('a notification that fails is kept and goes out with the next run', async () => {
    status = 503;
    const text = await readFile(cfg('node02'), 'utf8');
    await writeFile(cfg('node02'), dropSection(text, 'browser'));
    const failed = await watch();
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/not delivered to webhook .*HTTP 503; kept for the next run/);
    expect(failed.stdout).not.toContain('/alerts'); // the URL (a secret for Slack/Discord) is never printed
    status = 200;
    const [a] = await watchSends(1);
    expect(a!.events).toEqual([expect.objectContaining({ kind: 'drift', node: 'node02', item: 'browser' })]);
    await watchSends(0);
    await writeFile(cfg('node02'), text);
  });
});
