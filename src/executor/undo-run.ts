import { ClawError } from '../domain/errors.js';
import type { RunContext } from './context.js';
import { Journal, now, parseJournal, type JournalRecord } from './journal.js';
import { undoStep } from './steps.js';

type Begin = Extract<JournalRecord, { t: 'begin' }>;

/** The started, not yet undone actions of a journal, newest first. */
export function pendingUndo(records: JournalRecord[]): Begin[] {
  const undone = new Set(records.filter((r) => r.t === 'undone').map((r) => (r as { seq: number }).seq));
  return records.filter((r): r is Begin => r.t === 'begin' && !undone.has(r.seq)).reverse();
}

/**
 * Replays the inverses of a run recorded in the node's own journal, newest first. Each inverse looks at
 * the node's state, so it is safe after a crash at any point, and safe to run twice.
 */
export async function undoRun(ctx: RunContext, journalPath: string, trusted?: JournalRecord[]): Promise<number> {
  const w = ctx.writer;
  const text = trusted ? '' : (await w.probe({ read: [journalPath] })).read[journalPath];
  if (text == null) throw new ClawError('NORUN', 'no journal for this run on the node', { node: ctx.node, path: journalPath });
  // `trusted`: records a rollback read and checked (journal-trust.ts); else this run's own journal, just written.
  const records = trusted ?? parseJournal(text);
  const journal = new Journal(w, journalPath);
  // Progress notes only: undo steps go by the node's state, so a journal that cannot be appended to (a full
  // disk, often the very failure being undone) must not stop the undo. A later rollback redoes nothing twice.
  const note = (rec: JournalRecord) => journal.write(rec).catch(() => undefined);
  const todo = pendingUndo(records);
  for (const b of todo) {
    await undoStep(ctx, b.undo, b.seq);
    await note({ t: 'undone', seq: b.seq, at: now() });
  }
  await note({ t: 'end', status: 'rolled-back', at: now() });
  return todo.length;
}
