// Issue 14, item 3: the credential sentinel's SQLite source (OpenClaw ≥ 2026.6.5), on real SQLite files in OpenClaw's
// schema read through a LocalNode: same fingerprints and events as the JSON source, read-only, hostile files one note each.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authProfilesSource } from '../../src/sentinel/auth-profiles-source.js';
import { credentialStatus, diffCredentials, type Scan } from '../../src/sentinel/diff.js';
import { fingerprinter } from '../../src/sentinel/fingerprint.js';
import { scanCredentials } from '../../src/sentinel/scan.js';
import { SHARED_STORE } from '../../src/sentinel/source.js';
import { sqliteSource } from '../../src/sentinel/sqlite-source.js';
import { LocalNode } from '../../src/transport/local.js';
import { agentDbBytes, apiKey, stateDbBytes, walBetween } from '../helpers/openclaw-db.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';

const HOME = '/root/.openclaw';
const T0 = '2026-12-01T10:00:00.000Z';
const T1 = '2026-12-01T11:00:00.000Z';
const fp = fingerprinter(Buffer.alloc(32, 7));
const KEY = (s: string) => `sk-ant-api03-SQLITETEST-${s}-0123456789abcdefghij`;
let root: string;

const host = (p: string) => join(root, p);
async function put(p: string, data: Uint8Array | string, mode = 0o600): Promise<void> {
  await mkdir(dirname(host(p)), { recursive: true });
  await writeFile(host(p), data);
  await chmod(host(p), mode);
}
const agentDb = (a: string) => `${HOME}/agents/${a}/agent/openclaw-agent.sqlite`;

async function scan(agents: string[], sources = [authProfilesSource, sqliteSource]): Promise<Scan> {
  const reader = new LocalNode({ node: 'n1', root, home: '/root' });
  return scanCredentials(reader, { node: 'n1', openclawHome: HOME, agentsDir: `${HOME}/agents`, agents, agentFiles: {}, fingerprint: fp }, sources);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'clawfleet-sentinel-sqlite-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('SQLite credential source', () => {
  it('fingerprints agent DBs and the shared state store with the JSON source rule; never writes; no key anywhere', async () => {
    for (const a of ['coder', 'ops']) await put(agentDb(a), agentDbBytes({ 'anthropic:default': apiKey(KEY(a)), 'openai:oauth': { type: 'oauth', provider: 'openai', access: 'acc-1', refresh: `r-${KEY(a)}` } }));
    await put(agentDb('quiet'), agentDbBytes(null)); // an agent DB without auth rows
    await put(`${HOME}/state/openclaw.sqlite`, stateDbBytes({ 'anthropic:default': apiKey(KEY('shared')) }));
    const before = await snapshotTree(root);
    const s = await scan(['coder', 'ops', 'quiet']);
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);
    expect(s.notes).toEqual([]);
    expect(s.records.map((r) => `${r.agent} ${r.profile} ${r.type}`).sort()).toEqual([
      `${SHARED_STORE} anthropic:default api_key`,
      'coder anthropic:default api_key',
      'coder openai:oauth oauth',
      'ops anthropic:default api_key',
      'ops openai:oauth oauth',
    ]);
    expect(s.records.find((r) => r.agent === 'coder' && r.profile === 'anthropic:default')!.fp).toBe(fp(KEY('coder')));
    // OAuth: the refresh token identifies the grant (access tokens rotate)
    expect(s.records.find((r) => r.agent === 'ops' && r.profile === 'openai:oauth')!.fp).toBe(fp(`r-${KEY('ops')}`));
    expect(credentialStatus(s)).toMatchObject({ profiles: 5, agents: 2, sources: ['auth-profiles.json', 'openclaw-agent.sqlite'] });
    expect(s.files.map((f) => f.path).sort()).toEqual([`${HOME}/agents/coder/agent/openclaw-agent.sqlite`, `${HOME}/agents/ops/agent/openclaw-agent.sqlite`, `${HOME}/agents/quiet/agent/openclaw-agent.sqlite`, `${HOME}/state/openclaw.sqlite`]);
    expect(JSON.stringify(s)).not.toMatch(/sk-ant|acc-1/);
  });

  it('a key that OpenClaw moves from auth-profiles.json into the agent DB is not news; a replaced key in 3 agent DBs is one shared-key event', async () => {
    const agents = ['a1', 'a2', 'a3', 'a4'];
    for (const a of agents) await put(`${HOME}/agents/${a}/agent/auth-profiles.json`, JSON.stringify({ version: 1, profiles: { 'anthropic:default': apiKey(KEY(a)) } }));
    const first = diffCredentials('n1', undefined, await scan(agents), T0, new Map());
    // the upgrade: the JSON is renamed aside, the keys are in the agent DBs now
    for (const a of agents) {
      await rm(host(`${HOME}/agents/${a}/agent/auth-profiles.json`));
      await put(agentDb(a), agentDbBytes({ 'anthropic:default': apiKey(KEY(a)) }));
    }
    const moved = diffCredentials('n1', first.next, await scan(agents), T1, new Map());
    expect(moved.events).toEqual([]);
    // a startup rewrites three agents' stores with one new key (#146511), a4 loses its profile, a5 appears
    for (const a of ['a1', 'a2', 'a3']) await put(agentDb(a), agentDbBytes({ 'anthropic:default': apiKey(KEY('NEW')) }));
    await put(agentDb('a4'), agentDbBytes({}));
    await put(agentDb('a5'), agentDbBytes({ 'openai:default': apiKey(KEY('five'), 'openai') }));
    const d = diffCredentials('n1', moved.next, await scan([...agents, 'a5']), T1, new Map());
    expect(d.events.map((e) => `${e.kind} ${e.agents.join(',')} ${e.profile}`)).toEqual(['shared-key a1,a2,a3 anthropic:default', 'added a5 openai:default', 'removed a4 anthropic:default']);
    expect(d.events[0]!.message).toMatch(/^one new key \(fingerprint [0-9a-f]{12}\) replaced or added profile anthropic:default in 3 agents \(now in 3\): a1, a2, a3$/);
    expect(JSON.stringify(d)).not.toContain('sk-ant');
  });

  it("the shared store's key replaced: one event naming the shared store", async () => {
    await put(`${HOME}/state/openclaw.sqlite`, stateDbBytes({ 'anthropic:default': apiKey(KEY('old')) }));
    const first = diffCredentials('n1', undefined, await scan([]), T0, new Map());
    await put(`${HOME}/state/openclaw.sqlite`, stateDbBytes({ 'anthropic:default': apiKey(KEY('new')) }));
    const d = diffCredentials('n1', first.next, await scan([]), T1, new Map());
    expect(d.events.map((e) => e.message)).toEqual([expect.stringMatching(/^shared store \(state\/openclaw\.sqlite\): profile anthropic:default replaced by another key \(fingerprint [0-9a-f]{12}\)$/)]);
  });

  it('reads committed transactions from the -wal (as while the gateway runs), not an uncommitted one', async () => {
    const old = agentDbBytes({ 'anthropic:default': apiKey(KEY('old')) });
    const wal = Buffer.from(old);
    wal[18] = 2; // WAL mode, as OpenClaw opens its stores
    wal[19] = 2;
    await put(agentDb('coder'), wal);
    const first = diffCredentials('n1', undefined, await scan(['coder']), T0, new Map());
    const neu = agentDbBytes({ 'anthropic:default': apiKey(KEY('new')) });
    await put(`${agentDb('coder')}-wal`, walBetween(old, neu, false));
    expect(diffCredentials('n1', first.next, await scan(['coder']), T1, new Map()).events).toEqual([]);
    await put(`${agentDb('coder')}-wal`, walBetween(old, neu));
    const d = diffCredentials('n1', first.next, await scan(['coder']), T1, new Map());
    expect(d.events.map((e) => `${e.kind} ${e.agents.join(',')}`)).toEqual(['replaced coder']);
  });

  it('hostile stores: each is one note, never read through a link, its remembered profiles kept (unread is not removed)', async () => {
    const agents = ['junk', 'linked', 'fifo', 'huge', 'badwal', 'badrow', 'ok'];
    for (const a of agents) await put(agentDb(a), agentDbBytes({ 'anthropic:default': apiKey(KEY(a)) }));
    const first = diffCredentials('n1', undefined, await scan(agents), T0, new Map());
    expect(Object.keys(first.next.profiles)).toHaveLength(agents.length);

    await put(agentDb('junk'), `${'{"profiles":{"x":{"key":"'}${KEY('junk')}"}}}`); // not SQLite, holds a key
    await rm(host(agentDb('linked')));
    await put('/etc/secret.sqlite', agentDbBytes({ 'anthropic:default': apiKey(KEY('elsewhere')) }));
    await symlink(host('/etc/secret.sqlite'), host(agentDb('linked')));
    await rm(host(agentDb('fifo')));
    execFileSync('mkfifo', [host(agentDb('fifo'))]);
    await truncate(host(agentDb('huge')), 65 * 1024 * 1024); // sparse: over the 64 MiB limit
    const w = Buffer.alloc(32 + 24 + 4096);
    w.writeUInt32BE(0x377f0682, 0);
    w.writeUInt32BE(4096, 8);
    await put(`${agentDb('badwal')}-wal`, w); // a WAL whose header checksum is wrong: nothing committed
    const corrupt = Buffer.from(agentDbBytes({ 'anthropic:default': apiKey(KEY('badrow')) }));
    corrupt.fill(0xee, 4096 * 2); // pages past the schema destroyed
    await put(agentDb('badrow'), corrupt);

    const before = await snapshotTree(root);
    const s = await scan(agents);
    expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);
    for (const n of s.notes) expect(n).not.toMatch(/\n|sk-ant/);
    expect(s.notes.find((n) => n.includes('/junk/'))).toMatch(/openclaw-agent\.sqlite: not a readable SQLite DB \(not a SQLite database\): not watched$/);
    expect(s.notes.find((n) => n.includes('/linked/'))).toMatch(/is a symlink, not a file: not read$/);
    expect(s.notes.find((n) => n.includes('/fifo/'))).toMatch(/is a special file, not a file: not read$/);
    expect(s.notes.find((n) => n.includes('/huge/'))).toMatch(/65 MiB with its WAL, too large to read \(over 64 MiB\): not watched$/);
    expect(s.notes.find((n) => n.includes('/badrow/'))).toMatch(/not a readable SQLite DB/);
    expect(s.records.map((r) => r.agent).sort()).toEqual(['badwal', 'ok']);
    const d = diffCredentials('n1', first.next, s, T1, new Map());
    expect(d.events).toEqual([]);
    expect(Object.keys(d.next.profiles)).toHaveLength(agents.length);
    expect(JSON.stringify(s)).not.toContain('elsewhere');
  });

  it('a WAL that claims a huge committed DB is refused, not allocated', async () => {
    const db = agentDbBytes({ 'anthropic:default': apiKey(KEY('w')) });
    const wal = walBetween(agentDbBytes(null), db);
    // forge the commit frame's DB size to 2^31 pages and fix its checksum chain by rebuilding through walBetween's rules
    const pageSize = wal.readUInt32BE(8);
    const frames = (wal.length - 32) / (24 + pageSize);
    const last = 32 + (frames - 1) * (24 + pageSize);
    wal.writeUInt32BE(0x7fffffff, last + 4);
    let [s0, s1] = [wal.readUInt32BE(last - (24 + pageSize) + 16), wal.readUInt32BE(last - (24 + pageSize) + 20)];
    if (frames === 1) [s0, s1] = [wal.readUInt32BE(24), wal.readUInt32BE(28)];
    const sum = (start: number, len: number) => {
      for (let i = start; i < start + len; i += 8) {
        s0 = (s0 + wal.readUInt32LE(i) + s1) >>> 0;
        s1 = (s1 + wal.readUInt32LE(i + 4) + s0) >>> 0;
      }
    };
    sum(last, 8);
    sum(last + 24, pageSize);
    wal.writeUInt32BE(s0, last + 16);
    wal.writeUInt32BE(s1, last + 20);
    await put(agentDb('w'), agentDbBytes(null));
    await put(`${agentDb('w')}-wal`, wal);
    const s = await scan(['w'], [sqliteSource]);
    expect(s.notes).toEqual([expect.stringMatching(/\/w\/agent\/openclaw-agent\.sqlite: not a readable SQLite DB \(WAL commit size of 2147483647 pages exceeds what the DB and its WAL hold\): not watched$/)]);
  });

  it('auth-profiles.json left beside an agent DB with another key: counted once, the SQLite one, and said', async () => {
    await put(`${HOME}/agents/coder/agent/auth-profiles.json`, JSON.stringify({ version: 1, profiles: { 'anthropic:default': apiKey(KEY('json')) } }));
    await put(agentDb('coder'), agentDbBytes({ 'anthropic:default': apiKey(KEY('db')) }));
    const s = await scan(['coder']);
    expect(s.records).toEqual([expect.objectContaining({ agent: 'coder', profile: 'anthropic:default', fp: fp(KEY('db')) })]);
    expect(s.notes).toEqual(['agent coder: profile anthropic:default has another key in auth-profiles.json than in openclaw-agent.sqlite; the openclaw-agent.sqlite one is watched']);
  });
});

describe('a source that fails as a whole', () => {
  it('is one note, and every remembered profile is kept, the shared store included', async () => {
    await put(agentDb('coder'), agentDbBytes({ 'anthropic:default': apiKey(KEY('c')) }));
    await put(`${HOME}/state/openclaw.sqlite`, stateDbBytes({ 'anthropic:default': apiKey(KEY('s')) }));
    const first = diffCredentials('n1', undefined, await scan(['coder']), T0, new Map());
    const broken = { name: 'openclaw-agent.sqlite', read: () => Promise.reject(new Error('sftp channel closed')) };
    const s = await scan(['coder'], [authProfilesSource, broken]);
    expect(s.notes).toEqual(['openclaw-agent.sqlite: could not be read (sftp channel closed)']);
    const d = diffCredentials('n1', first.next, s, T1, new Map());
    expect(d.events).toEqual([]);
    expect(Object.keys(d.next.profiles).sort()).toEqual([`${SHARED_STORE}/anthropic:default`, 'coder/anthropic:default']);
  });
});
