import { ClawError } from '../domain/errors.js';
import { acceptJournal } from './accept-journal.js';
import type { RunContext } from './context.js';
import { Journal, now, parseJournal, type JournalRecord, type NewRecord } from './journal.js';
import type { UndoCall, UndoOutcome } from './step.js';
import { stepFor } from './steps.js';

type Begin = Extract<JournalRecord, { t: 'begin' }>;

/** The started, not yet undone actions of a journal, newest first. */
export function pendingUndo(records: JournalRecord[]): Begin[] {
  const undone = new Set(records.flatMap((r) => (r.t === 'undone' ? [r.seq] : [])));
  return records.filter((r): r is Begin => r.t === 'begin' && !undone.has(r.seq)).reverse();
}

/** Reads, parses and accepts a run's journal from the node; null when there is none. */
export async function readJournal(ctx: Pick<RunContext, 'writer' | 'node' | 'runId' | 'layout'>, path: string): Promise<JournalRecord[] | null> {
  const text = (await ctx.writer.probe({ read: [path] })).read[path];
  if (text == null) return null;
  return acceptJournal(parseJournal(text, { node: ctx.node, path }), { node: ctx.node, runId: ctx.runId, path, paths: ctx.layout });
}

export interface UndoOptions {
  forceConfig?: boolean;
}

export interface UndoneAction {
  seq: number;
  id: string;
  outcome: UndoOutcome;
}

function callFor(records: JournalRecord[], b: Begin, opts: UndoOptions): UndoCall {
  const notes = records.filter((r) => r.t !== 'begin' && 'seq' in r && r.seq === b.seq);
  return { seq: b.seq, notes, forceConfig: Boolean(opts.forceConfig) };
}

/** Reasons the run's undo would refuse (e.g. a config changed since the apply), found before anything changes. */
export async function undoRefusals(ctx: RunContext, records: JournalRecord[], opts: UndoOptions = {}): Promise<string[]> {
  const out: string[] = [];
  for (const b of pendingUndo(records)) {
    const why = await stepFor(b.undo.kind).refuseUndo?.(ctx, b.undo, callFor(records, b, opts));
    if (why) out.push(`${b.undo.path}: ${why}`);
  }
  return out;
}

/**
 * Replays the inverses of a run recorded in the node's own journal, newest first. Each inverse looks at
 * the node's state, so it is safe after a crash at any point, and safe to run twice.
 */
export async function undoRun(ctx: RunContext, journalPath: string, opts: UndoOptions = {}): Promise<UndoneAction[]> {
  const records = await readJournal(ctx, journalPath);
  if (records === null) throw new ClawError('NORUN', 'no journal for this run on the node', { node: ctx.node, path: journalPath });
  const journal = new Journal(ctx.writer, journalPath);
  // Progress notes only: undo steps go by the node's state, so a journal that cannot be appended to (a full
  // disk, often the very failure being undone) must not stop the undo. A later rollback redoes nothing twice.
  const note = (rec: NewRecord) => journal.write(rec).catch(() => undefined);
  const done: UndoneAction[] = [];
  for (const b of pendingUndo(records)) {
    const outcome = await stepFor(b.undo.kind).undo(ctx, b.undo, callFor(records, b, opts));
    await note({ t: 'undone', seq: b.seq, at: now(), ...(outcome.carried ? { carried: outcome.carried } : {}) });
    done.push({ seq: b.seq, id: b.action.id, outcome });
  }
  await note({ t: 'end', status: 'rolled-back', at: now() });
  return done;
}
