import { ClawError } from '../../domain/errors.js';
import { OPENCLAW_ENTRY } from '../../shared/bootstrap-paths.js';
import { packedTarball } from '../../transport/push-cache.js';
import { shQuote } from '../../transport/sh-quote.js';
import { statOne } from '../fs-helpers.js';
import { INSTALL_TIMEOUT_S, NOT_UNDONE, runScript, runScriptWithFile, type BootOp } from './op.js';
import { npmInstallScript, unpackScript } from './unpack.js';

/** The `openclaw` command: the install's entry point on its runtime (paths are plain names: inventory schema). */
export function wrapperText(node: string, dest: string, version: string): string {
  return `#!/bin/sh\n# written by clawfleet (bootstrap): OpenClaw ${version}\nexec ${node === 'node' ? 'node' : shQuote(node)} ${shQuote(`${dest}/${OPENCLAW_ENTRY}`)} "$@"\n`;
}

/** openclaw@version into `<prefix>/<version>` (pushed from the operator's cache, or npm on the node), then its wrapper. */
export const installOpenclaw: BootOp<'install-openclaw'> = {
  async act(ctx, a, op) {
    const w = ctx.writer;
    if ((await statOne(w, op.wrapper)).kind !== 'missing') throw new ClawError('EEXIST', 'exists: refusing to replace a command clawfleet did not write', { node: ctx.node, path: op.wrapper });
    const prefix = a.path.slice(0, a.path.lastIndexOf('/'));
    if (op.source === 'push') {
      const { file } = await packedTarball(op.from!, op.from!, `openclaw-${op.version}`);
      await runScriptWithFile(ctx, `unpacking OpenClaw ${op.version}`, unpackScript(prefix, a.path), file, a.path);
    } else {
      await runScript(ctx, `npm install openclaw@${op.version}`, npmInstallScript(prefix, a.path, op.version, INSTALL_TIMEOUT_S), a.path);
    }
    await runScript(ctx, 'creating the wrapper dir', `mkdir -p -- ${shQuote(op.wrapper.slice(0, op.wrapper.lastIndexOf('/')))}`, op.wrapper);
    await w.writeFileExclusive(op.wrapper, wrapperText(op.node, a.path, op.version), 0o755);
    const r = await runScript(ctx, `${op.wrapper} --version`, `${shQuote(op.wrapper)} --version </dev/null`, op.wrapper);
    if (!r.stdout.includes(op.version)) throw new ClawError('EXEC_FAILED', `the installed openclaw answered no version ${op.version}`, { node: ctx.node, path: a.path });
  },
  undo: async () => ({ notes: [NOT_UNDONE] }),
  describeUndo: (u) => `${u.path}: ${NOT_UNDONE}`,
};
