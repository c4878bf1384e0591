import type { BootstrapAction, BootstrapOp } from '../../domain/actions.js';
import { ClawError } from '../../domain/errors.js';
import { redactText } from '../../shared/redact.js';
import { asShCommand } from '../../transport/openclaw-cli.js';
import { shQuote } from '../../transport/sh-quote.js';
import { runAsWords } from '../../shared/bootstrap-paths.js';
import type { ExecResult } from '../../transport/types.js';
import type { RunContext } from '../context.js';
import type { UndoOutcome } from '../step.js';
import type { UndoOf } from '../step.js';

export type BootUndo = UndoOf<'bootstrap'>;
export type OpOf<K extends BootstrapOp['op']> = Extract<BootstrapOp, { op: K }>;

/** One bootstrap operation: its own file under executor/bootstrap/, registered in ops.ts by its `op`. */
export interface BootOp<K extends BootstrapOp['op']> {
  /** A backup path the undo needs (fixed before the act, journaled), or none. */
  backup?(ctx: RunContext, a: BootstrapAction, seq: number): string;
  act(ctx: RunContext, a: BootstrapAction, op: OpOf<K>, u: BootUndo): Promise<void>;
  undo(ctx: RunContext, u: BootUndo): Promise<UndoOutcome>;
  describeUndo(u: BootUndo): string;
}

/** Seconds an install may take (a 650 MB copy, or npm fetching OpenClaw's dependencies). */
export const INSTALL_TIMEOUT_S = 1800;
/** Seconds OpenClaw's setup or `agents add` may take (2026.9.6 took 40 s on a loaded 2-core machine). */
export const SETUP_TIMEOUT_S = 600;

function tail(r: ExecResult): string {
  const lines = `${r.stderr}\n${r.stdout}`.split('\n').filter((l) => l.trim() !== '');
  return redactText((lines.at(-1) ?? 'no output').slice(0, 300));
}

/** Runs a POSIX sh script on the node (words quoted by the caller with shQuote); throws on a non-zero exit, redacted. */
export async function runScript(ctx: RunContext, what: string, script: string, path: string): Promise<ExecResult> {
  const r = await ctx.writer.exec(asShCommand(script));
  if (r.code !== 0) throw new ClawError('EXEC_FAILED', `${what} failed (exit ${r.code}${r.code === 124 ? ', timed out' : ''}): ${tail(r)}`, { node: ctx.node, path });
  return r;
}

/** The same with an operator-side file on its stdin. */
export async function runScriptWithFile(ctx: RunContext, what: string, script: string, file: string, path: string): Promise<ExecResult> {
  const r = await ctx.writer.execWithFile(asShCommand(script), file);
  if (r.code !== 0) throw new ClawError('EXEC_FAILED', `${what} failed (exit ${r.code}): ${tail(r)}`, { node: ctx.node, path });
  return r;
}

/**
 * `script` run by /bin/sh as the gateway's user `user` (runuser, from `/`: the login's cwd may be closed to it;
 * the environment is kept, HOME becomes the user's), or as it is when none.
 */
export function asUser(user: string | undefined, script: string): string {
  return user === undefined ? script : `cd / && exec ${runAsWords(user)}/bin/sh -c ${shQuote(script)}`;
}

export const NOT_UNDONE = 'not undone: an install cannot be undone (it stays; remove it by hand if needed)';
