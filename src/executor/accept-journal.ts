import { ClawError } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import type { JournalRecord } from './journal-schema.js';

export interface JournalSource {
  node: string;
  runId: string;
  /** The journal's path on the node (for messages). */
  path: string;
  /** The node's layout as the inventory and baseline derive it now. */
  paths: NodePaths;
}

/**
 * The one place where a journal read from the node (already parsed line by line by parseJournal) is accepted
 * before rollback, `runs` or a lock refusal uses it. A journal is untrusted input: anything a non-root user on
 * the node could have written. Refuses with one line naming node and path.
 *
 * Checked here: the run header names this run; each action's undo information is of the action's kind. Path trust (every path an undo would touch is one
 * clawfleet could have planned for this node's layout) belongs here too.
 */
export function acceptJournal(records: JournalRecord[], src: JournalSource): JournalRecord[] {
  const refuse = (why: string) => new ClawError('JOURNAL', `${why}; refusing to use this journal`, { node: src.node, path: src.path });
  const head = records.find((r) => r.t === 'run');
  if (head && head.runId !== src.runId) throw refuse(`journal of run ${head.runId.slice(0, 40)} found under run ${src.runId}`);
  const seen = new Set<number>();
  for (const r of records) {
    if (r.t !== 'begin') continue;
    if (seen.has(r.seq)) throw refuse(`action ${r.seq} begins twice`);
    seen.add(r.seq);
    if (r.action.type !== r.undo.kind) throw refuse(`action ${r.seq} is a ${r.action.type} with undo information of a ${r.undo.kind}`);
  }
  return records;
}
