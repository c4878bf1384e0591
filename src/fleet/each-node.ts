import { nodeFailure, type NodeOutcome } from '../domain/errors.js';
import type { NodeSpec } from '../domain/inventory.js';
import type { NodePaths } from '../domain/plan.js';
import { layoutFor } from '../shared/layout.js';
import { runWithProgress } from '../terminal/progress.js';
import { openNode } from '../transport/open-node.js';
import type { NodeWriter } from '../transport/types.js';
import { loadAll, type SessionOptions } from './session.js';

export type EachResult<R> = NodeOutcome<R>;

/** Opens each selected node (parallel), resolves its paths, runs fn, closes it. One node's error is its own. */
export async function eachNode<R>(opts: SessionOptions, fn: (w: NodeWriter, paths: NodePaths, spec: NodeSpec) => Promise<R>): Promise<EachResult<R>[]> {
  const { specs, baselines } = await loadAll(opts);
  const one = async (spec: NodeSpec): Promise<EachResult<R>> => {
    let w: NodeWriter | null = null;
    try {
      w = await openNode(spec, opts);
      const l = layoutFor(baselines.get(spec.baseline)!.baseline, spec, await w.home());
      return { node: spec.name, ok: true, value: await fn(w, { home: l.home, dataRoot: l.dataRoot, attic: l.attic, stateDir: l.stateDir }, spec) };
    } catch (e) {
      return nodeFailure(spec.name, e);
    } finally {
      await w?.close().catch(() => undefined);
    }
  };
  const tasks = specs.map((spec) => ({ title: spec.name, run: () => one(spec), done: (r: EachResult<R>) => ({ line: r.ok ? 'done' : 'failed', ok: r.ok }) }));
  const results = await runWithProgress(tasks, { parallel: opts.parallel, failFast: false, verb: 'nodes', display: 'none', out: process.stderr });
  return results.map((r) => r!);
}
