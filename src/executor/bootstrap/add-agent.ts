import { baseName } from '../../shared/node-path.js';
import { openclawRunScript } from '../../transport/openclaw-cli.js';
import { runDirs } from '../context.js';
import { mkdirp, moveAside, statOne } from '../fs-helpers.js';
import { asUser, runScript, SETUP_TIMEOUT_S, type BootOp } from './op.js';

/**
 * `openclaw agents add <id>` (as the gateway's user when the plan names one): OpenClaw adds the agent to its config and makes its dirs. The config is copied
 * first (the undo puts it back and moves the new agent dir aside).
 */
export const addAgent: BootOp<'add-agent'> = {
  backup: (ctx, a, seq) => `${runDirs(ctx).configBackups}/${seq}-before-agents-add`,
  async act(ctx, a, op, u) {
    const config = op.config;
    const w = ctx.writer;
    if ((await statOne(w, config)).kind === 'file') {
      await mkdirp(w, runDirs(ctx).configBackups);
      await w.writeFileExclusive(u.backup!, await w.readFile(config), 0o600);
    }
    const env = { OPENCLAW_STATE_DIR: ctx.layout.home, OPENCLAW_CONFIG_PATH: config };
    await runScript(
      ctx,
      `openclaw agents add ${op.agentId}`,
      asUser(op.runAs, openclawRunScript(['agents', 'add', op.agentId, '--non-interactive', '--workspace', op.workspace, '--json'], env, SETUP_TIMEOUT_S)),
      a.path,
    );
    if ((await statOne(w, a.path)).kind !== 'dir') throw new Error(`openclaw agents add made no ${a.path}`);
  },
  async undo(ctx, u) {
    const w = ctx.writer;
    // the config file the step backed up (journal-trust.ts: the node's own config file, nothing else; a journal
    // from before it was journaled: the default name)
    const config = u.config ?? `${ctx.layout.home}/openclaw.json`;
    const notes: string[] = [];
    if (u.backup && (await statOne(w, u.backup)).kind === 'file') {
      await w.writeFileAtomic(config, await w.readFile(u.backup), 0o600);
      notes.push(`${config} put back as it was before \`agents add\``);
    }
    if ((await statOne(w, u.path)).kind === 'dir') {
      const to = `${runDirs(ctx).attic}/bootstrap/${baseName(u.path)}`;
      await moveAside(w, u.path, to);
      notes.push(`${u.path} moved to ${to}`);
    }
    return { notes };
  },
  describeUndo: (u) => `put the config back as before \`agents add\` and move ${u.path} aside`,
};
