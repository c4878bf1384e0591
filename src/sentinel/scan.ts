import type { NodeReader } from '../transport/types.js';
import type { Scan } from './diff.js';
import { SHARED_STORE, type CredentialRecord, type CredentialSource, type SourceContext } from './source.js';

/**
 * Every source over one node; a source that fails leaves a note, never a silent gap. A profile that two
 * sources both report for one agent (an auth-profiles.json left beside the agent DB that replaced it) counts
 * once, as the later source has it (the SQLite store is the one OpenClaw ≥ 2026.6.5 reads); when their keys
 * differ, a note says so.
 */
export async function scanCredentials(reader: NodeReader, ctx: SourceContext, sources: CredentialSource[]): Promise<Scan> {
  const scan: Scan = { records: [], files: [], notes: [], unread: [], sources: [] };
  const byKey = new Map<string, CredentialRecord>();
  for (const s of sources) {
    try {
      const r = await s.read(reader, ctx);
      for (const rec of r.records) {
        const k = `${rec.agent}/${rec.profile}`;
        const old = byKey.get(k);
        // (no path in this note: a note naming an agent's path marks that agent unread, diff.ts)
        const base = (f: string) => f.slice(f.lastIndexOf('/') + 1);
        if (old && old.fp !== rec.fp && old.file !== rec.file) scan.notes.push(`agent ${rec.agent}: profile ${rec.profile} has another key in ${base(old.file)} than in ${base(rec.file)}; the ${base(rec.file)} one is watched`);
        byKey.delete(k); // the later one, in its own position
        byKey.set(k, rec);
      }
      scan.files.push(...r.files);
      scan.notes.push(...r.notes);
      scan.unread!.push(...(r.unread ?? []));
      scan.sources.push(s.name);
    } catch (e) {
      scan.notes.push(`${s.name}: could not be read (${(e as Error).message.split('\n')[0]})`);
      // nothing of this source was read: every agent's remembered profiles are kept
      scan.unread!.push(...ctx.agents, SHARED_STORE);
    }
  }
  scan.records = [...byKey.values()];
  return scan;
}
