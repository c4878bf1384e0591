// The OpenClaw SQLite store reader: real SQLite files (made by sql.js, the same engine), a WAL built by the
// format's rules, and the guarantee that key material never leaves except through the caller's fingerprint.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyWal, holdsCredentials, parseAuthProfilesJson, readAuthProfiles, StoreReadError } from '../../src/openclaw-store/index.js';
import { SQL, walBetween } from '../helpers/openclaw-db.js';

const KEY = 'sk-ant-api03-STORETEST0123456789abcdefghijklmnopqr';

function agentDb(profiles: Record<string, unknown> | null): Uint8Array {
  const db = new SQL.Database();
  db.run('CREATE TABLE auth_profile_store (store_key TEXT NOT NULL PRIMARY KEY, store_json TEXT NOT NULL, updated_at INTEGER NOT NULL)');
  db.run('CREATE TABLE auth_profile_state (state_key TEXT NOT NULL PRIMARY KEY, state_json TEXT NOT NULL, updated_at INTEGER NOT NULL)');
  db.run('CREATE TABLE session_nodes (id TEXT PRIMARY KEY, entry_json TEXT)');
  if (profiles) db.run('INSERT INTO auth_profile_store VALUES (?, ?, 1)', ['primary', JSON.stringify({ version: 1, profiles })]);
  const out = db.export();
  db.close();
  return out;
}

describe('readAuthProfiles', () => {
  it('lists profiles of an agent DB without their keys; fingerprints only through the caller', async () => {
    const db = agentDb({ 'anthropic:default': { type: 'api_key', provider: 'anthropic', key: KEY }, 'openai:oauth': { type: 'oauth', provider: 'openai', access: 'a-tok', refresh: 'r-tok', expires: 1 } });
    const plain = await readAuthProfiles(db);
    expect(plain.profiles).toEqual([
      { source: 'agent-db', id: 'anthropic:default', type: 'api_key', provider: 'anthropic', secretFields: ['key'] },
      { source: 'agent-db', id: 'openai:oauth', type: 'oauth', provider: 'openai', secretFields: ['access', 'refresh'] },
    ]);
    expect(holdsCredentials(plain)).toBe(true);
    expect(JSON.stringify(plain)).not.toContain('sk-ant');
    const fp = await readAuthProfiles(db, null, { fingerprint: (v) => createHash('sha256').update(v).digest('hex').slice(0, 12) });
    expect(fp.profiles[0]!.fingerprints).toEqual({ key: createHash('sha256').update(KEY).digest('hex').slice(0, 12) });
    expect(JSON.stringify(fp)).not.toContain(KEY);
  });

  it('an agent DB without auth rows holds no credentials; the shared state row counts', async () => {
    expect(holdsCredentials(await readAuthProfiles(agentDb(null)))).toBe(false);
    const st = new SQL.Database();
    st.run('CREATE TABLE config_machine_state (state_key TEXT PRIMARY KEY, value_json TEXT)');
    st.run("INSERT INTO config_machine_state VALUES ('auth.sharedStore', '{\"location\":\"state-db\"}'), ('authProfiles.store', ?)", [JSON.stringify({ version: 1, profiles: { 'a:b': { type: 'token', provider: 'a', token: 'x' } } })]);
    const r = await readAuthProfiles(st.export());
    expect(r).toMatchObject({ sharedStoreLocation: 'state-db', authRows: 1, profiles: [{ source: 'shared-state', id: 'a:b', secretFields: ['token'] }] });
  });

  it('applies the committed transactions of the -wal file, ignores an uncommitted one and a torn frame', async () => {
    const before = agentDb(null);
    const after = agentDb({ 'anthropic:default': { type: 'api_key', provider: 'anthropic', key: KEY } });
    // sql.js exports with a fresh layout each time; bring both to the same page count by overlaying
    expect(holdsCredentials(await readAuthProfiles(before))).toBe(false);
    const wal = walBetween(before, after);
    const seen = await readAuthProfiles(before, wal);
    expect(seen.profiles.map((p) => p.id)).toEqual(['anthropic:default']);
    expect(Buffer.from(applyWal(before, wal)).equals(Buffer.from(after))).toBe(true);
    // the same frames without a commit record: a reader sees the DB as it was
    expect(holdsCredentials(await readAuthProfiles(before, walBetween(before, after, false)))).toBe(false);
    // a frame whose checksum is wrong ends the log there
    const torn = Buffer.from(wal);
    torn[torn.length - 1] = torn[torn.length - 1]! ^ 0xff;
    expect(holdsCredentials(await readAuthProfiles(before, torn))).toBe(false);
  });

  it('refuses bytes that are not a SQLite DB', async () => {
    await expect(readAuthProfiles(Buffer.from('{"version":1}'))).rejects.toBeInstanceOf(StoreReadError);
  });
});

describe('parseAuthProfilesJson', () => {
  it('reads auth-profiles.json the same way, and null for anything else', () => {
    expect(parseAuthProfilesJson(JSON.stringify({ version: 1, profiles: { 'x:y': { type: 'api_key', provider: 'x', key: KEY } } }))).toEqual([
      { source: 'json', id: 'x:y', type: 'api_key', provider: 'x', secretFields: ['key'] },
    ]);
    expect(parseAuthProfilesJson('not json')).toBeNull();
    expect(parseAuthProfilesJson('{"profiles": []}')).toBeNull();
  });
});
