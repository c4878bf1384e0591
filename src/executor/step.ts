import type { Action, ActionType } from '../domain/actions.js';
import type { RunContext } from './context.js';
import type { JournalRecord, UndoInfo } from './journal-schema.js';

export type ActionOf<T extends ActionType> = Extract<Action, { type: T }>;
export type UndoOf<T extends ActionType> = Extract<UndoInfo, { kind: T }>;

/** How an undo is called: its action's seq, the run's journal notes about that action, the operator's options. */
export interface UndoCall {
  seq: number;
  /** Records of this action after its `begin` (e.g. a link's `carry` note). */
  notes: JournalRecord[];
  /** `rollback --force-config`: restore a config that was changed after the apply (the current one is kept aside). */
  forceConfig: boolean;
}

/** What an undo did, beyond putting the layout back: shown to the operator and journaled. */
export interface UndoOutcome {
  /** Entries the gateway wrote after the apply that were carried back into the live dir. */
  carried?: string[];
  /** Other things the operator must know (kept copies, superseded versions), one line each. */
  notes?: string[];
}

/**
 * One executor step: everything about one action kind, in one object. A new action kind needs one of these in
 * the registry (steps.ts), and the compiler names every missing piece.
 */
export interface Step<T extends ActionType> {
  /** Fixed before the action starts and journaled with its `begin` record: computed once, pure. */
  undoInfo(ctx: RunContext, a: ActionOf<T>, seq: number): UndoOf<T>;
  /** Does the action (after precheck); verifies what it wrote; throws on any difference. */
  act(ctx: RunContext, a: ActionOf<T>, u: UndoOf<T>, seq: number): Promise<void>;
  /** Looks at the node's state, so it is safe after a crash at any point of `act`, and safe to run twice. */
  undo(ctx: RunContext, u: UndoOf<T>, call: UndoCall): Promise<UndoOutcome>;
  /** One line: what the undo touches (rollback's preview, `rollback --dry-run`). */
  describeUndo(u: UndoOf<T>): string;
  /** Looked at before any undo of a rollback starts: a reason to refuse the whole rollback (nothing changed), or null. */
  refuseUndo?(ctx: RunContext, u: UndoOf<T>, call: UndoCall): Promise<string | null>;
}

/** Every action kind has its undo information kind: a kind without one is named here by the compiler. */
type MissingUndoInfo = { [T in ActionType]: [UndoOf<T>] extends [never] ? T : never }[ActionType];
export const everyActionKindHasUndoInfo: [MissingUndoInfo] extends [never] ? true : MissingUndoInfo = true;
