import { MAX_STORE_BYTES } from '../facts/credentials.js';
import { fetchStoreBytes, readAuthProfiles } from '../openclaw-store/index.js';
import type { PathFact } from '../domain/facts.js';
import type { NodeReader } from '../transport/types.js';
import { keyMaterial } from './key-material.js';
import { agentStoreDirs, SHARED_STORE, type CredentialRecord, type CredentialSource, type SourceContext, type SourceResult } from './source.js';

export const AGENT_DB_FILE = 'agent/openclaw-agent.sqlite';
export const STATE_DB_FILE = 'state/openclaw.sqlite';

interface Store {
  path: string;
  /** The agent whose DB it is, or SHARED_STORE for the shared state DB. */
  agent: string;
}

const KIND: Record<string, string> = { symlink: 'a symlink', dir: 'a directory', other: 'a special file' };

function mib(n: number): string {
  return `${(n / 1048576).toFixed(0)} MiB`;
}

/** A one-line reason, never the store's content (an error from a malformed DB may quote bytes of it). */
function reason(e: unknown): string {
  const m = (e as Error).message.split('\n')[0] ?? '';
  return /^[\w ,.:'()/-]{0,160}$/.test(m) ? m : 'malformed';
}

/**
 * OpenClaw ≥ 2026.6.5's SQLite credential stores: the auth tables of each agent DB
 * `agents/<id>/agent/openclaw-agent.sqlite` (for `main`, until OpenClaw's doctor relocates it, also the legacy
 * shared store every agent reads through) and the shared store in `state/openclaw.sqlite` (2026.9.x,
 * `config_machine_state` row `authProfiles.store`), reported as agent SHARED_STORE.
 *
 * Read without disturbing the gateway: one stat round trip, then plain file reads of the DB and its `-wal`
 * (SFTP; nothing on the node opens the DB, so no lock and no `-shm` write), the WAL applied in memory on this
 * side (openclaw-store). A symlink, a special file or a store over MAX_STORE_BYTES is not read: it is noted,
 * and its agent's remembered profiles are kept (unread is not removed). Never writes.
 */
export const sqliteSource: CredentialSource = {
  name: 'openclaw-agent.sqlite',
  async read(reader: NodeReader, ctx: SourceContext): Promise<SourceResult> {
    const stores: Store[] = [
      ...agentStoreDirs(ctx).map(({ agent, dir }) => ({ agent, path: `${dir}/${AGENT_DB_FILE.slice('agent/'.length)}` })),
      { agent: SHARED_STORE, path: `${ctx.openclawHome}/${STATE_DB_FILE}` },
    ];
    const out: SourceResult = { records: [], files: [], notes: [], unread: [] };
    // one round trip: lstat of every store and its WAL (nothing is read where there is no DB)
    const st = (await reader.probe({ stat: stores.flatMap((s) => [s.path, `${s.path}-wal`]) })).stat;
    const present = stores.filter((s) => (st[s.path]?.kind ?? 'missing') !== 'missing');
    for (const s of present) {
      const r = await readStore(reader, s, st[s.path]!, st[`${s.path}-wal`], ctx.fingerprint);
      if ('note' in r) {
        out.notes.push(r.note);
        out.unread!.push(s.agent);
        continue;
      }
      out.files.push({ path: s.path, agent: s.agent, mode: (st[s.path] as { mode: number }).mode });
      out.records.push(...r.records);
      if (r.unreadableRows > 0) {
        out.notes.push(`${s.path}: ${r.unreadableRows} auth row${r.unreadableRows === 1 ? '' : 's'} could not be parsed`);
        out.unread!.push(s.agent);
      }
    }
    return out;
  },
};

async function readStore(
  reader: NodeReader,
  s: Store,
  db: PathFact,
  wal: PathFact | undefined,
  fingerprint: (m: string) => string,
): Promise<{ note: string } | { records: CredentialRecord[]; unreadableRows: number }> {
  if (db.kind !== 'file') return { note: `${s.path} is ${KIND[db.kind] ?? db.kind}, not a file: not read` };
  const walKind = wal?.kind ?? 'missing';
  if (walKind !== 'missing' && walKind !== 'file') return { note: `${s.path}-wal is ${KIND[walKind] ?? walKind}, not a file: ${s.path} not read` };
  const walSize = wal?.kind === 'file' ? wal.size : 0;
  if (db.size + walSize > MAX_STORE_BYTES) return { note: `${s.path}: ${mib(db.size + walSize)} with its WAL, too large to read (over ${mib(MAX_STORE_BYTES)}): not watched` };
  try {
    const bytes = await fetchStoreBytes(reader, s.path, walKind === 'file');
    if (bytes.db.length + (bytes.wal?.length ?? 0) > MAX_STORE_BYTES * 2) return { note: `${s.path} grew past ${mib(MAX_STORE_BYTES)} while read: not watched` };
    const report = await readAuthProfiles(bytes.db, bytes.wal, { keyed: (p) => {
      const m = keyMaterial(p);
      return m === null ? null : fingerprint(m);
    } });
    const records: CredentialRecord[] = [];
    for (const p of report.profiles) {
      if (!p.keyedFp) continue;
      const rec: CredentialRecord = { agent: s.agent, profile: p.id, fp: p.keyedFp, file: s.path };
      if (p.provider !== null) rec.provider = p.provider;
      if (p.type !== null) rec.type = p.type;
      records.push(rec);
    }
    return { records, unreadableRows: report.unreadableRows };
  } catch (e) {
    return { note: `${s.path}: not a readable SQLite DB (${reason(e)}): not watched` };
  }
}
