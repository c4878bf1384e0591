import type { Manifest } from '../domain/facts.js';
import type { NodePaths } from '../domain/plan.js';
import type { NodeWriter } from '../transport/types.js';
import type { Journal } from './journal.js';
import type { PlannedLayout } from './journal-trust.js';

/** What every step of one node's run sees. */
export interface RunContext {
  runId: string;
  node: string;
  writer: NodeWriter;
  journal: Journal;
  layout: NodePaths;
  protectedGlobs: string[];
  /** The node's layout from the inventory and baseline: journals read back are checked against it. */
  planned?: PlannedLayout | undefined;
  /** The manifest the precheck just read of the action's dir: a copy is verified against it (the source is not read again). */
  checked?: { path: string; manifest: Manifest } | undefined;
  /** Manifests the facts were gathered with in this process (hashed, stamped): big dirs are re-checked by stamps. */
  known?: Record<string, Manifest | null> | undefined;
}

/** Per-run dirs on the node: journal and config backups under the data root; moved-aside dirs beside the agents. */
export function runDirs(ctx: Pick<RunContext, 'runId' | 'layout'>) {
  const run = `${ctx.layout.stateDir}/runs/${ctx.runId}`;
  const attic = `${ctx.layout.attic}/${ctx.runId}`;
  return {
    run,
    journal: `${run}/journal.jsonl`,
    configBackups: `${run}/config`,
    /** Entries moved out of the data root by a rollback. */
    dataUndone: `${run}/undone`,
    /** Dirs replaced by links, orphans, configs removed by a rollback: same filesystem as the OpenClaw home. */
    attic,
  };
}

/**
 * Where an action moves a dir aside in a run's attic (`runAttic`: runDirs().attic), by its sequence number and
 * base name. The steps write it into their undo information; journal-trust.ts accepts nothing else.
 */
export function movedAside(runAttic: string, seq: number, path: string): string {
  return `${runAttic}/moved/${seq}-${path.slice(path.lastIndexOf('/') + 1)}`;
}

/** The prefix of a run's temporary names in a link target (`<prefix>copy`): never an entry of the gateway's. */
export function runTmpPrefix(runId: string): string {
  return `.clawfleet-${runId}-`;
}

/** The undo information of a step that moves `path` aside (link, unlink, relocate): where to, and the temporaries' prefix. */
export function asideUndo(ctx: RunContext, seq: number, path: string): { backup: string; tmpPrefix: string } {
  return { backup: movedAside(runDirs(ctx).attic, seq, path), tmpPrefix: runTmpPrefix(ctx.runId) };
}

export function newRunId(now = new Date()): string {
  const ts = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${ts}-${Math.random().toString(16).slice(2, 6).padEnd(4, '0')}`;
}

export const RUN_ID_RE = /^\d{8}T\d{6}Z-[0-9a-f]{4}$/;
