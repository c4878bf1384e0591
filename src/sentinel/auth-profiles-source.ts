import type { NodeReader } from '../transport/types.js';
import { keyMaterial } from './key-material.js';
import { agentStoreDirs, type CredentialRecord, type CredentialSource, type SourceContext, type SourceResult } from './source.js';

/** `agents/<id>/agent/auth-profiles.json` (OpenClaw up to 2026.6.x; kept by later ones until migrated). */
export const authProfilesSource: CredentialSource = {
  name: 'auth-profiles.json',
  async read(reader: NodeReader, ctx: SourceContext): Promise<SourceResult> {
    const files = agentStoreDirs(ctx).map(({ agent, dir }) => ({ agent, path: `${dir}/auth-profiles.json` }));
    // one round trip: lstat and content of every file (a symlink or special file is not read)
    const res = await reader.probe({ stat: files.map((f) => f.path), read: files.map((f) => f.path) });
    const out: SourceResult = { records: [], files: [], notes: [] };
    for (const { agent, path } of files) {
      const st = res.stat[path];
      if (!st || st.kind === 'missing') continue;
      if (st.kind !== 'file') {
        out.notes.push(`${path} is a ${st.kind}, not a file: not read`);
        continue;
      }
      out.files.push({ path, agent, mode: st.mode });
      const text = res.read[path];
      let doc: unknown;
      try {
        doc = text === null || text === undefined ? null : JSON.parse(text);
      } catch {
        doc = null;
      }
      const profiles = (doc as { profiles?: unknown } | null)?.profiles;
      if (!profiles || typeof profiles !== 'object' || Array.isArray(profiles)) {
        out.notes.push(`${path} could not be parsed`); // never quote it: it holds keys
        continue;
      }
      for (const [id, p] of Object.entries(profiles as Record<string, unknown>)) {
        if (!p || typeof p !== 'object') continue;
        const prof = p as Record<string, unknown>;
        const material = keyMaterial(prof);
        if (material === null) continue;
        const rec: CredentialRecord = { agent, profile: id, fp: ctx.fingerprint(material), file: path };
        if (typeof prof.provider === 'string') rec.provider = prof.provider;
        if (typeof prof.type === 'string') rec.type = prof.type;
        out.records.push(rec);
      }
    }
    return out;
  },
};
