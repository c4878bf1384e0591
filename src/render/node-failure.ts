/**
 * One node's failure, as every command shows it (apply's results, rollback, runs, runs show, unlock): the text
 * line `failed    node02: message` and the JSON `{ node, error }`, the node named once (withNode). What the
 * node said is redacted and, for a human, escaped onto one line. A broken invariant inside clawfleet
 * (InternalError) says it is a clawfleet bug.
 */
import { withNode, withoutNode, type NodeFailure } from '../domain/errors.js';
import { redactText } from '../shared/redact.js';
import { safeLine } from './safe-line.js';
import type { Style } from './style.js';

/** The failure as one message, node first (not yet redacted or escaped). */
export function failureMessage(f: NodeFailure): string {
  const what = f.internal ? `internal error: ${withoutNode(f.node, f.error)} (this is a clawfleet bug; please report it)` : f.error;
  return withNode(f.node, what);
}

/** The status words a failure line starts with. */
export type FailureWord = 'failed' | 'refused' | 'FAILED';

/** The status column: the word in red (FAILED, a rollback that failed, also bold), padded to 10 columns. */
function statusCell(word: FailureWord, s: Style): string {
  const painted = word === 'FAILED' ? s.red(s.bold(word)) : s.red(word);
  return painted + ' '.repeat(10 - word.length);
}

/** `failed    node02: message`: one line (no newline), redacted and escaped. */
export function failureLine(f: NodeFailure, s: Style, word: FailureWord = 'failed'): string {
  return statusCell(word, s) + safeLine(failureMessage(f));
}

/** The JSON of a failed node, in every document that lists nodes: `{ node, error }`, redacted. */
export function failureJson(f: NodeFailure): { node: string; error: string } {
  return { node: f.node, error: redactText(failureMessage(f)) };
}
