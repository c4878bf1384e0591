import type { Action } from '../domain/actions.js';
import type { RunContext } from './context.js';
import type { UndoInfo } from './journal.js';
import * as config from './step-config.js';
import * as ensureDir from './step-ensure-dir.js';
import * as link from './step-link.js';
import * as quarantine from './step-quarantine.js';

/** Undo information is fixed (and journaled) before an action starts. */
export function undoInfoFor(ctx: RunContext, a: Action, seq: number): UndoInfo {
  switch (a.type) {
    case 'ensure-dir':
      return ensureDir.undoInfo(a);
    case 'link':
      return link.undoInfo(ctx, a, seq);
    case 'merge-config':
      return config.undoInfo(ctx, a, seq);
    case 'quarantine':
      return quarantine.undoInfo(ctx, a);
  }
}

export async function applyStep(ctx: RunContext, a: Action, u: UndoInfo): Promise<void> {
  if (a.type === 'ensure-dir') return ensureDir.apply(ctx, a);
  if (a.type === 'link' && u.kind === 'link') return link.apply(ctx, a, u);
  if (a.type === 'merge-config' && u.kind === 'merge-config') return config.apply(ctx, a, u);
  if (a.type === 'quarantine' && u.kind === 'quarantine') return quarantine.apply(ctx, a, u);
  throw new Error(`executor bug: undo info ${u.kind} for action ${a.type}`);
}

export async function undoStep(ctx: RunContext, u: UndoInfo, seq: number): Promise<void> {
  switch (u.kind) {
    case 'ensure-dir':
      return ensureDir.undo(ctx, u, seq);
    case 'link':
      return link.undo(ctx, u);
    case 'merge-config':
      return config.undo(ctx, u);
    case 'quarantine':
      return quarantine.undo(ctx, u);
  }
}
