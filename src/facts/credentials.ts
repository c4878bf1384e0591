import type { CredentialHolding, ManifestEntry } from '../domain/facts.js';
import { fetchStoreBytes, holdsCredentials, readAuthProfiles } from '../openclaw-store/index.js';
import type { NodeReader } from '../transport/types.js';

/** Agent DBs (sessions, transcripts, memory indexes and auth rows) past this are not fetched: treated as holding credentials. */
export const MAX_STORE_BYTES = 64 * 1024 * 1024;

export const AGENT_DB = 'agent/openclaw-agent.sqlite';
const AUTH_JSON = /^agent\/auth-profiles\.json(\..+)?$/;

/**
 * What holds credentials in one agent dir, from its listing (`entries`, relative to the agent dir):
 * `agent/auth-profiles.json` (and the copies OpenClaw's upgrades rename it to; present is enough, not read),
 * the agent DB when it has auth rows (fetched by plain file reads: no lock on the node, its WAL applied in
 * memory; only dirs that have one cost reads), and any other file the baseline protects. Never returns key
 * material.
 */
export async function credentialHoldings(reader: NodeReader, agentDir: string, entries: ManifestEntry[], isProtected: (rel: string) => boolean): Promise<CredentialHolding[]> {
  const out: CredentialHolding[] = [];
  const names = new Set(entries.map((e) => e.rel));
  for (const e of entries) {
    if (e.kind !== 'file') continue;
    const abs = `${agentDir}/${e.rel}`;
    if (AUTH_JSON.test(e.rel)) {
      // OpenClaw's credential file (or a copy its upgrades renamed aside): its presence is enough, it is not read.
      out.push({ file: e.rel, kind: 'auth-profiles-json', profiles: null });
    } else if (e.rel === AGENT_DB) {
      if ((e.size ?? 0) > MAX_STORE_BYTES) {
        out.push({ file: e.rel, kind: 'agent-db', profiles: null, unreadable: `${((e.size ?? 0) / 1048576).toFixed(0)} MiB, too large to inspect` });
        continue;
      }
      try {
        const bytes = await fetchStoreBytes(reader, abs, names.has(`${AGENT_DB}-wal`));
        const r = await readAuthProfiles(bytes.db, bytes.wal);
        if (holdsCredentials(r)) out.push({ file: e.rel, kind: 'agent-db', profiles: r.unreadableRows > 0 ? null : r.profiles.length, ...(r.unreadableRows > 0 ? { unreadable: 'auth rows that could not be read' } : {}) });
      } catch (err) {
        out.push({ file: e.rel, kind: 'agent-db', profiles: null, unreadable: `not a readable SQLite DB (${(err as Error).message.split('\n')[0]})` });
      }
    } else if (!/^agent\/openclaw-agent\.sqlite-(wal|shm|journal)$/.test(e.rel) && isProtected(e.rel)) {
      out.push({ file: e.rel, kind: 'protected-file', profiles: null });
    }
  }
  return out;
}
