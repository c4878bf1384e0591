/**
 * A read-only snapshot of an OpenClaw SQLite store, opened in memory on the operator's side with sql.js
 * (SQLite compiled to WebAssembly: no native module, runs on Node 20). The bytes come from the node by a
 * plain file read (SFTP), so nothing on the node opens the DB: no lock, no `-shm` write, the running gateway
 * is never blocked; the `-wal` file is applied in memory (wal.ts).
 */
import { createRequire } from 'node:module';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { applyWal } from './wal.js';

let engine: Promise<SqlJsStatic> | null = null;

/** sql.js is loaded on first use only: plans of nodes without SQLite stores never pay for it. */
function sqlJs(): Promise<SqlJsStatic> {
  engine ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasm = require.resolve('sql.js/dist/sql-wasm.wasm');
    const init = (await import('sql.js')).default;
    return init({ locateFile: () => wasm });
  })();
  return engine;
}

export class StoreReadError extends Error {}

export interface SqliteSnapshot {
  /** Names of the tables in the store. */
  tables(): string[];
  /** Rows of a read-only query, as plain objects. */
  rows(sql: string, params?: SqlValue[]): Record<string, SqlValue>[];
  close(): void;
}

/** Opens the DB bytes (with the WAL's committed transactions applied) as an in-memory, read-only snapshot. */
export async function openSnapshot(dbBytes: Uint8Array, walBytes?: Uint8Array | null): Promise<SqliteSnapshot> {
  const SQL = await sqlJs();
  let db: Database;
  try {
    const bytes = applyWal(dbBytes, walBytes);
    if (bytes.length > 0 && !Buffer.from(bytes.subarray(0, 16)).equals(Buffer.from('SQLite format 3\0', 'latin1'))) throw new Error('not a SQLite database');
    db = new SQL.Database(bytes);
    db.exec('PRAGMA query_only = 1');
    db.exec('PRAGMA cell_size_check = 1'); // a node's file is untrusted: check every b-tree cell, not only what a query needs
    db.exec('PRAGMA trusted_schema = 0');
    db.exec('SELECT count(*) FROM sqlite_master'); // a corrupt file fails here, not later
  } catch (e) {
    throw new StoreReadError((e as Error).message);
  }
  const rows = (sql: string, params: SqlValue[] = []): Record<string, SqlValue>[] => {
    const st = db.prepare(sql);
    try {
      st.bind(params);
      const out: Record<string, SqlValue>[] = [];
      while (st.step()) out.push(st.getAsObject());
      return out;
    } finally {
      st.free();
    }
  };
  return {
    tables: () => rows("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => String(r.name)),
    rows,
    close: () => db.close(),
  };
}
