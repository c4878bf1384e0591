import { UNIT_PATH } from '../../shared/bootstrap-paths.js';
import { runDirs } from '../context.js';
import { mkdirp, moveAside, statOne } from '../fs-helpers.js';
import { runScript, type BootOp } from './op.js';

/** The gateway's systemd unit (an existing one is kept in the run's attic first), then `systemctl daemon-reload`. */
export const installService: BootOp<'install-service'> = {
  backup: (ctx, _a, seq) => `${runDirs(ctx).attic}/bootstrap/${seq}-openclaw-gateway.service`,
  async act(ctx, a, op, u) {
    const w = ctx.writer;
    if ((await statOne(w, a.path)).kind === 'file') {
      await mkdirp(w, `${runDirs(ctx).attic}/bootstrap`);
      await w.writeFileExclusive(u.backup!, await w.readFile(a.path), 0o644);
    }
    await w.writeFileAtomic(a.path, op.unit, 0o644);
    await runScript(ctx, 'systemctl daemon-reload', 'systemctl daemon-reload', a.path);
  },
  async undo(ctx, u) {
    const w = ctx.writer;
    if (u.backup && (await statOne(w, u.backup)).kind === 'file') await w.writeFileAtomic(u.path, await w.readFile(u.backup), 0o644);
    else if ((await statOne(w, u.path)).kind === 'file') await moveAside(w, u.path, `${u.backup ?? UNIT_PATH}.removed`);
    await w.exec('systemctl daemon-reload');
    return {};
  },
  describeUndo: (u) => `put the unit ${u.path} back as it was (or move the new one aside)`,
};
