import { openclawRunScript } from '../../transport/openclaw-cli.js';
import { runDirs } from '../context.js';
import { moveAside, statOne } from '../fs-helpers.js';
import { asUser, runScript, SETUP_TIMEOUT_S, type BootOp } from './op.js';

/** Flags of OpenClaw's non-interactive setup: local gateway, no model credentials, no daemon, no prompts. */
export function onboardArgs(workspace: string): string[] {
  return [
    'onboard',
    '--non-interactive',
    '--accept-risk',
    '--mode',
    'local',
    '--auth-choice',
    'skip',
    '--workspace',
    workspace,
    '--skip-channels',
    '--skip-daemon',
    '--no-install-daemon',
    '--skip-health',
    '--skip-search',
    '--skip-skills',
    '--skip-ui',
    '--skip-hooks',
    '--json',
  ];
}

/** `openclaw onboard` (as the gateway's user when the plan names one): OpenClaw writes its own config and state; the undo moves the config it wrote aside. */
export const openclawSetup: BootOp<'openclaw-setup'> = {
  backup: (ctx, _a, seq) => `${runDirs(ctx).attic}/bootstrap/${seq}-openclaw.json`,
  async act(ctx, a, op) {
    const env = { OPENCLAW_STATE_DIR: ctx.layout.home, OPENCLAW_CONFIG_PATH: a.path };
    await runScript(ctx, 'openclaw onboard', asUser(op.runAs, openclawRunScript(onboardArgs(op.workspace), env, SETUP_TIMEOUT_S)), a.path);
    if ((await statOne(ctx.writer, a.path)).kind !== 'file') throw new Error(`openclaw onboard wrote no ${a.path}`);
  },
  async undo(ctx, u) {
    if (!u.backup || (await statOne(ctx.writer, u.path)).kind !== 'file') return {};
    await moveAside(ctx.writer, u.path, u.backup);
    return { notes: [`the config OpenClaw's setup wrote was moved to ${u.backup}; its state files (workspace, agents/main) stay`] };
  },
  describeUndo: (u) => `move the config OpenClaw's setup wrote (${u.path}) aside to ${u.backup ?? '?'}`,
};
