// Issue 14, item 3: the credential sentinel over OpenClaw ≥ 2026.6.5's SQLite stores, end to end on the local demo
// fleet (the built CLI): t440's 15 agents move their keys from auth-profiles.json into agent DBs (as OpenClaw's upgrade
// does: the JSON renamed aside) plus a shared store in state/openclaw.sqlite; then one key replaces all 15.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertSchema } from '../../src/check/schema.js';
import { SCENARIO, T440_AGENTS, demoKey } from '../../src/demo/scenario-data.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { agentDbBytes, apiKey, stateDbBytes, walBetween } from '../helpers/openclaw-db.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
const NEW_KEY = 'sk-ant-api03-SQLITExDASHBOARDxKEYxxxxxxxxxxxxxxxxxxxxxx';
const SHARED_KEY = 'sk-ant-api03-SHAREDxSTORExKEYxxxxxxxxxxxxxxxxxxxxxxxxx';

const t440 = (p: string) => join(f.node('t440').root!, p);
const agentDir = (a: string) => t440(`/root/.openclaw/agents/${a}/agent`);

async function put(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, data);
  await chmod(file, 0o600);
}

async function watch(...extra: string[]): Promise<{ r: CliResult; alerts: ReturnType<typeof AlertSchema.parse>[] }> {
  const outbox = join(f.dir, 'alerts.jsonl');
  await writeFile(outbox, '');
  const r = await runCli(['watch', '-i', f.inventoryFile, '--limit', 't440', '--state', join(f.dir, 'state.json'), '--secret-file', join(f.dir, 'secret'), '--notify-command', `cat >> '${outbox}'; echo >> '${outbox}'`, '--format', 'json', ...extra]);
  const all = r.stdout + r.stderr;
  expect(all).not.toMatch(/\n\s+at /);
  const sent = await readFile(outbox, 'utf8');
  for (const text of [all, sent, await readFile(join(f.dir, 'state.json'), 'utf8').catch(() => '')]) {
    expect(text).not.toContain(NEW_KEY);
    expect(text).not.toContain(SHARED_KEY);
    for (const n of SCENARIO) for (const a of [...n.agents, ...n.orphans]) expect(text).not.toContain(demoKey(n.name, a));
  }
  return { r, alerts: sent.split('\n').filter((l) => l.trim()).map((l) => AlertSchema.parse(JSON.parse(l))) };
}

beforeAll(async () => {
  f = await tempDemoFleet();
});
afterAll(async () => {
  await f?.cleanup();
});

describe('credential sentinel on SQLite stores (local fleet)', { timeout: 300_000 }, () => {
  it('the upgrade that moves every key into the agent DBs is not news; the SQLite stores are read, not noted', async () => {
    const first = await watch();
    expect(first.r.code, first.r.stderr).toBe(0);
    const before = JSON.parse(first.r.stdout);
    const row0 = before.rows.find((x: { node: string }) => x.node === 't440');
    expect(row0.credentials).toMatchObject({ profiles: 16, agents: 16 });

    for (const a of [...T440_AGENTS, 'main']) {
      const json = join(agentDir(a), 'auth-profiles.json');
      const doc = JSON.parse(await readFile(json, 'utf8'));
      await rename(json, `${json}.migrated-2026-12-01T10-00-00Z`);
      await put(join(agentDir(a), 'openclaw-agent.sqlite'), agentDbBytes(doc.profiles));
    }
    const moved = await watch();
    expect(moved.r.code, moved.r.stderr).toBe(0);
    expect(moved.alerts.flatMap((a) => a.events).filter((e) => e.kind === 'credential')).toEqual([]);
    const row = JSON.parse(moved.r.stdout).rows.find((x: { node: string }) => x.node === 't440');
    expect(row.credentials).toMatchObject({ profiles: 16, agents: 16, sources: ['auth-profiles.json', 'openclaw-agent.sqlite'], notes: [] });
  });

  it('one new key in the 15 agent DBs (some only in their -wal, as while the gateway runs): one shared-key alert naming the 15', async () => {
    const before = await snapshotTree(t440('/root/.openclaw'));
    for (const [i, a] of T440_AGENTS.entries()) {
      const db = join(agentDir(a), 'openclaw-agent.sqlite');
      const neu = agentDbBytes({ 'anthropic:default': apiKey(NEW_KEY) });
      if (i % 2 === 0) await put(db, neu);
      else await put(`${db}-wal`, walBetween(await readFile(db), neu));
    }
    const changed = await snapshotTree(t440('/root/.openclaw'));
    const { r, alerts } = await watch();
    expect(r.code, r.stderr).toBe(0);
    // watch changed nothing on the node
    expect(diffSnapshots(changed, await snapshotTree(t440('/root/.openclaw')))).toEqual([]);
    expect(diffSnapshots(before, changed).length).toBeGreaterThan(0);
    const events = alerts.flatMap((a) => a.events).filter((e) => e.kind === 'credential');
    expect(events).toHaveLength(1);
    expect(events[0]!.credential).toMatchObject({ kind: 'shared-key', agents: [...T440_AGENTS].sort(), profile: 'anthropic:default' });
    expect(events[0]!.message).toMatch(/^t440: one new key \(fingerprint [0-9a-f]{12}\) replaced or added profile anthropic:default in 15 agents \(now in 15\): /);
    expect((await watch()).alerts).toEqual([]); // known now
  });

  it("the shared store appears, then its key is replaced; a broken agent DB is a note, and its profile is not 'removed'", async () => {
    await put(t440('/root/.openclaw/state/openclaw.sqlite'), stateDbBytes({ 'anthropic:default': apiKey(SHARED_KEY) }));
    const added = await watch();
    expect(added.alerts.flatMap((a) => a.events).map((e) => e.message)).toEqual([expect.stringMatching(/^t440: shared store \(state\/openclaw\.sqlite\): profile anthropic:default added \(fingerprint [0-9a-f]{12}\)$/)]);

    await put(t440('/root/.openclaw/state/openclaw.sqlite'), stateDbBytes({ 'anthropic:default': apiKey(`${SHARED_KEY}2`) }));
    await writeFile(join(agentDir('coder'), 'openclaw-agent.sqlite'), 'SQLite format 3\0 but truncated');
    await writeFile(join(agentDir('coder'), 'openclaw-agent.sqlite-wal'), '');
    const { r, alerts } = await watch();
    expect(alerts.flatMap((a) => a.events).map((e) => e.message)).toEqual([expect.stringMatching(/^t440: shared store \(state\/openclaw\.sqlite\): profile anthropic:default replaced by another key/)]);
    const row = JSON.parse(r.stdout).rows.find((x: { node: string }) => x.node === 't440');
    expect(row.credentials.notes).toEqual([expect.stringMatching(/^\/root\/\.openclaw\/agents\/coder\/agent\/openclaw-agent\.sqlite: not a readable SQLite DB \(.+\): not watched$/)]);
    expect(row.credentials.notes[0]).not.toContain('\n');
  });

  it('check -f html shows the SQLite source and the count, and check text names no key', async () => {
    const html = await runCli(['check', '-i', f.inventoryFile, '--limit', 't440', '-f', 'html']);
    expect(html.stdout).toMatch(/16 credential profiles in 15 agents \(auth-profiles\.json, openclaw-agent\.sqlite\)/);
    for (const out of [html.stdout, html.stderr]) expect(out).not.toMatch(/sk-ant/);
  });
});
