import { RUNTIME_IN_CACHE, RUNTIME_MAJOR } from '../../shared/bootstrap-paths.js';
import { packedTarball } from '../../transport/push-cache.js';
import { shQuote } from '../../transport/sh-quote.js';
import { NOT_UNDONE, runScript, runScriptWithFile, type BootOp } from './op.js';
import { unpackScript } from './unpack.js';

/** Push: the Node.js runtime from the operator's cache, packed once (cached tarball), unpacked on the node. */
export const installRuntime: BootOp<'install-runtime'> = {
  async act(ctx, a, op) {
    const { file } = await packedTarball(op.from, `${op.from}/${RUNTIME_IN_CACHE}`, `node${RUNTIME_MAJOR}`);
    await runScriptWithFile(ctx, 'unpacking the Node.js runtime', unpackScript(a.path.slice(0, a.path.lastIndexOf('/')), op.runtime), file, a.path);
    const r = await runScript(ctx, 'the pushed Node.js runtime', `${shQuote(`${op.runtime}/bin/node`)} --version`, a.path);
    if (!new RegExp(`^v${RUNTIME_MAJOR}\\.`).test(r.stdout.trim())) throw new Error(`${op.runtime}/bin/node answered ${r.stdout.trim().slice(0, 40)}, not Node.js ${RUNTIME_MAJOR}`);
  },
  undo: async () => ({ notes: [NOT_UNDONE] }),
  describeUndo: (u) => `${u.path}: ${NOT_UNDONE}`,
};
