// OpenClaw's SQLite credential stores as real SQLite files (made by sql.js), in the schema OpenClaw 2026.9.6 creates
// (its dist: `auth_profile_store`/`auth_profile_state` in the agent DB, `config_machine_state` in the state DB, all
// STRICT tables), and a WAL written by the format's rules (sqlite.org/fileformat2.html#walformat).
import { createRequire } from 'node:module';
import initSqlJs from 'sql.js';

const wasm = createRequire(import.meta.url).resolve('sql.js/dist/sql-wasm.wasm');
export const SQL = await initSqlJs({ locateFile: () => wasm });

export type Profiles = Record<string, Record<string, unknown>>;

/** `agents/<id>/agent/openclaw-agent.sqlite`: sessions beside the auth tables; `profiles` null: no auth row. */
export function agentDbBytes(profiles: Profiles | null, opts: { sessions?: number } = {}): Uint8Array {
  const db = new SQL.Database();
  db.run('CREATE TABLE auth_profile_store (store_key TEXT NOT NULL PRIMARY KEY, store_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT');
  db.run('CREATE TABLE auth_profile_state (state_key TEXT NOT NULL PRIMARY KEY, state_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT');
  db.run('CREATE TABLE session_entries (session_key TEXT NOT NULL PRIMARY KEY, entry_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT');
  for (let i = 0; i < (opts.sessions ?? 3); i++) db.run('INSERT INTO session_entries VALUES (?, ?, 1)', [`agent:x:s${i}`, JSON.stringify({ sessionId: `s${i}`, text: 'hello '.repeat(50) })]);
  if (profiles) {
    db.run('INSERT INTO auth_profile_store VALUES (?, ?, 1)', ['primary', JSON.stringify({ version: 1, profiles })]);
    db.run('INSERT INTO auth_profile_state VALUES (?, ?, 1)', ['primary', JSON.stringify({ version: 1, lastGood: {} })]);
  }
  const out = db.export();
  db.close();
  return out;
}

/** `state/openclaw.sqlite` of 2026.9.x: the shared store is the `authProfiles.store` machine-state row. */
export function stateDbBytes(profiles: Profiles | null): Uint8Array {
  const db = new SQL.Database();
  db.run('CREATE TABLE config_machine_state (state_key TEXT NOT NULL PRIMARY KEY, value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT');
  db.run("INSERT INTO config_machine_state VALUES ('auth.sharedStore', '{\"location\":\"state-db\"}', 1)");
  if (profiles) db.run("INSERT INTO config_machine_state VALUES ('authProfiles.store', ?, 1)", [JSON.stringify({ version: 1, profiles })]);
  const out = db.export();
  db.close();
  return out;
}

export const apiKey = (key: string, provider = 'anthropic') => ({ type: 'api_key', provider, key });

/** A WAL (little-endian checksums) whose frames turn `before` into `after`: one transaction, committed or not. */
export function walBetween(before: Uint8Array, after: Uint8Array, commit = true): Buffer {
  const pageSize = (after[16]! << 8) | after[17]!;
  const frames: [number, Uint8Array][] = [];
  for (let p = 0; p * pageSize < after.length; p++) {
    const a = after.subarray(p * pageSize, (p + 1) * pageSize);
    const b = before.subarray(p * pageSize, (p + 1) * pageSize);
    if (!Buffer.from(a).equals(Buffer.from(b))) frames.push([p + 1, a]);
  }
  const buf = Buffer.alloc(32 + frames.length * (24 + pageSize));
  const sum = (start: number, len: number, s: [number, number]): [number, number] => {
    let [s0, s1] = s;
    for (let i = start; i < start + len; i += 8) {
      s0 = (s0 + buf.readUInt32LE(i) + s1) >>> 0;
      s1 = (s1 + buf.readUInt32LE(i + 4) + s0) >>> 0;
    }
    return [s0, s1];
  };
  buf.writeUInt32BE(0x377f0682, 0);
  buf.writeUInt32BE(3007000, 4);
  buf.writeUInt32BE(pageSize, 8);
  buf.writeUInt32BE(7, 16);
  buf.writeUInt32BE(9, 20);
  let s = sum(0, 24, [0, 0]);
  buf.writeUInt32BE(s[0], 24);
  buf.writeUInt32BE(s[1], 28);
  frames.forEach(([pgno, data], i) => {
    const off = 32 + i * (24 + pageSize);
    buf.writeUInt32BE(pgno, off);
    buf.writeUInt32BE(commit && i === frames.length - 1 ? after.length / pageSize : 0, off + 4);
    buf.writeUInt32BE(7, off + 8);
    buf.writeUInt32BE(9, off + 12);
    Buffer.from(data).copy(buf, off + 24);
    s = sum(off, 8, s);
    s = sum(off + 24, pageSize, s);
    buf.writeUInt32BE(s[0], off + 16);
    buf.writeUInt32BE(s[1], off + 20);
  });
  return buf;
}
