import { ClawError } from '../domain/errors.js';
import { bootOpFor } from './bootstrap/ops.js';
import type { Step } from './step.js';

/**
 * A bootstrap action (executor/bootstrap/: one file per operation). Installs are irreversible: their undo
 * does nothing and says so; the others put back what they changed.
 */
export const bootstrapStep: Step<'bootstrap'> = {
  undoInfo(ctx, a, seq) {
    const op = bootOpFor(a.boot.op)!;
    const kind = a.boot.op === 'start-service' && a.boot.systemd ? 'start-service-systemd' : a.boot.op;
    const backup = op.backup?.(ctx, a, seq);
    const config = a.boot.op === 'add-agent' ? { config: a.boot.config } : {};
    return { kind: 'bootstrap', op: kind, path: a.path, irreversible: a.irreversible, ...(backup ? { backup } : {}), ...config };
  },
  async act(ctx, a, u) {
    await bootOpFor(a.boot.op)!.act(ctx, a, a.boot as never, u);
  },
  async undo(ctx, u) {
    const op = bootOpFor(u.op === 'start-service-systemd' ? 'start-service' : u.op);
    if (!op) throw new ClawError('JOURNAL', `unknown bootstrap operation "${u.op}" in the journal`, { node: ctx.node });
    return op.undo(ctx, u);
  },
  describeUndo(u) {
    return bootOpFor(u.op === 'start-service-systemd' ? 'start-service' : u.op)?.describeUndo(u) ?? `unknown bootstrap operation ${u.op}`;
  },
};
