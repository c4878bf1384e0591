import { ClawError } from '../domain/errors.js';
import { schemaIssueLines } from '../shared/schema-issues.js';
import type { NodeWriter } from '../transport/types.js';
import { JOURNAL_VERSION, JournalRecordSchema, type JournalRecord } from './journal-schema.js';

export { JOURNAL_VERSION, type JournalRecord, type UndoInfo } from './journal-schema.js';

/** Records are written without `v`; the journal adds it. */
type Unversioned<R> = R extends unknown ? Omit<R, 'v'> : never;
export type NewRecord = Unversioned<JournalRecord>;

export class Journal {
  constructor(
    private readonly writer: NodeWriter,
    readonly path: string,
  ) {}

  /** Appends one record (a whole line, fsync'd): written before the thing it describes is done. */
  async write(rec: NewRecord): Promise<void> {
    await this.writer.appendFile(this.path, JSON.stringify({ v: JOURNAL_VERSION, ...rec }) + '\n');
  }
}

/**
 * Parses a journal read from the node. A torn last line (an append cut by a crash) is dropped: everything
 * before it is intact. Any other line that is not JSON, not of a known version, or not a valid record makes
 * the whole journal refused with one line naming node, path and line: an undo never runs from a guess.
 */
export function parseJournal(text: string, where: { node?: string; path?: string } = {}): JournalRecord[] {
  const lines = text.split('\n');
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === '') last--;
  const out: JournalRecord[] = [];
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    const refuse = (why: string) => new ClawError('JOURNAL', `journal line ${i + 1}: ${why}; refusing to use this journal`, where);
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      if (i === last) break; // torn by an interrupted append
      throw refuse('not JSON');
    }
    const version = raw && typeof raw === 'object' && 'v' in raw ? (raw as { v: unknown }).v : 1;
    if (version !== 1 && version !== JOURNAL_VERSION) {
      throw refuse(`unknown journal version ${JSON.stringify(version).slice(0, 20)} (this clawfleet reads 1 and ${JOURNAL_VERSION})`);
    }
    const r = JournalRecordSchema.safeParse(raw);
    if (!r.success) {
      throw refuse(`not a valid record (${schemaIssueLines(r.error.issues, 'record').join('; ')})`);
    }
    out.push(r.data);
  }
  return out;
}

export const now = (): string => new Date().toISOString();
