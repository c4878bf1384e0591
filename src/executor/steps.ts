import type { Action, ActionType } from '../domain/actions.js';
import type { UndoInfo } from './journal-schema.js';
import { bootstrapStep } from './step-bootstrap.js';
import { configStep } from './step-config.js';
import { ensureDirStep } from './step-ensure-dir.js';
import { linkStep } from './step-link.js';
import { quarantineStep } from './step-quarantine.js';
import { relocateStep } from './step-relocate.js';
import { setOwnerStep } from './step-set-owner.js';
import { unlinkStep } from './step-unlink.js';
import type { Step } from './step.js';

/**
 * The executor's steps, one per action kind. Keyed by action type and typed so that a kind without a step,
 * a step without an undo, or an undo information kind that does not match is a compile error.
 */
export const STEPS: { readonly [T in ActionType]: Step<T> } = {
  'ensure-dir': ensureDirStep,
  link: linkStep,
  'merge-config': configStep,
  quarantine: quarantineStep,
  'set-owner': setOwnerStep,
  unlink: unlinkStep,
  relocate: relocateStep,
  bootstrap: bootstrapStep,
};

/**
 * The one dispatch: the step of an action or of an undo record. (TypeScript cannot relate `a.type` to the
 * parameter types of `STEPS[a.type]`; the map's type above is what guarantees they match.)
 */
export function stepFor(kind: Action['type'] | UndoInfo['kind']): Step<ActionType> {
  return STEPS[kind] as unknown as Step<ActionType>;
}
