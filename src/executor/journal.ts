import type { Action } from '../domain/actions.js';
import type { NodeWriter } from '../transport/types.js';

/** One line of a node's journal (JSONL). Written before each thing it describes is done. */
export type JournalRecord =
  | { t: 'run'; runId: string; node: string; at: string; by: string; baseline: string; actions: number; /** Attic root of this run (absent in older journals: `<home>/.clawfleet`). */ attic?: string }
  | { t: 'begin'; seq: number; action: Action; undo: UndoInfo; at: string }
  | { t: 'step'; seq: number; step: string; at: string }
  | { t: 'done'; seq: number; at: string }
  | { t: 'fail'; seq: number; error: string; at: string }
  | { t: 'refused'; seq: number; error: string; at: string }
  | { t: 'handler'; command: string; code: number; output: string; at: string }
  | { t: 'end'; status: 'applied' | 'partial' | 'failed' | 'rolled-back' | 'rollback-failed' | 'refused'; at: string }
  | { t: 'undone'; seq: number; at: string }
  | { t: 'rollback'; by: string; at: string };

/** Everything rollback needs to undo one action, fixed before the action starts. */
export type UndoInfo =
  | { kind: 'ensure-dir'; path: string }
  | { kind: 'link'; path: string; target: string; from: 'missing' | 'dir' | 'symlink'; oldTarget?: string; backup: string; copied: string[]; tmpPrefix: string }
  | {
      kind: 'merge-config';
      path: string;
      existed: boolean;
      backup: string;
      mode: number;
      afterSha256: string;
      aside: string;
      /** The candidate written before the rename (absent in journals of older versions). */
      tmp?: string;
      /** sha256 of the file planned against, when it existed. */
      beforeSha256?: string;
    }
  | { kind: 'quarantine'; path: string; to: string };

export class Journal {
  constructor(
    private readonly writer: NodeWriter,
    readonly path: string,
  ) {}

  async write(rec: JournalRecord): Promise<void> {
    await this.writer.appendFile(this.path, JSON.stringify(rec) + '\n');
  }
}

export function parseJournal(text: string): JournalRecord[] {
  const out: JournalRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as JournalRecord);
    } catch {
      break; // a torn last line from an interrupted append: everything before it is intact
    }
  }
  return out;
}

export const now = (): string => new Date().toISOString();
