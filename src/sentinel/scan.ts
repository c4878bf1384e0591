import type { NodeReader } from '../transport/types.js';
import type { Scan } from './diff.js';
import type { CredentialSource, SourceContext } from './source.js';

/** Every source over one node; a source that fails leaves a note, never a silent gap. */
export async function scanCredentials(reader: NodeReader, ctx: SourceContext, sources: CredentialSource[]): Promise<Scan> {
  const scan: Scan = { records: [], files: [], notes: [], sources: [] };
  for (const s of sources) {
    try {
      const r = await s.read(reader, ctx);
      scan.records.push(...r.records);
      scan.files.push(...r.files);
      scan.notes.push(...r.notes);
      scan.sources.push(s.name);
    } catch (e) {
      scan.notes.push(`${s.name}: could not be read (${(e as Error).message.split('\n')[0]})`);
    }
  }
  return scan;
}
