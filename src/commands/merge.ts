import { readFile } from 'node:fs/promises';
import { ClawError } from '../domain/errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { writePlanFile } from '../plan-file/io.js';
import { checkToJson, renderCheckText } from '../render/drift-matrix.js';
import { planSummary } from '../render/plan-text.js';
import { renderResultsMarkdown } from '../render/results-formats.js';
import { renderResults } from '../render/results-text.js';
import { styleFor } from '../terminal/style.js';
import { nodeOk } from '../rollout/accounting.js';
import { mergeResults, type ShardDoc } from '../rollout/merge.js';
import { renderMatrixMarkdown, renderPartsText } from '../rollout/render-merge.js';
import { redactText } from '../shared/redact.js';
import type { Command } from 'commander';
import { formatOf, withFormat, type Io } from './options.js';
import { PLAN_FORMATS, renderPlan } from './output.js';

async function readPart(file: string): Promise<ShardDoc> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (e) {
    throw new ClawError('ENOENT', `cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { path: file });
  }
}

export interface MergeValues {
  format?: string;
  json?: boolean;
  out?: string;
  inventory?: string;
  diff?: boolean;
}

export async function mergeCommand(positionals: string[], v: MergeValues, out: NodeJS.WriteStream): Promise<number> {
  if (positionals.length === 0) throw new ClawError('USAGE', 'merge needs the JSON files of the parts (see clawfleet merge --help)');
  const format = formatOf(v);
  const order = v.inventory ? (await loadInventory(v.inventory)).nodes.map((n) => n.name) : undefined;
  const m = mergeResults(await Promise.all(positionals.map(readPart)), order);
  if (v.out && m.kind !== 'plan') throw new ClawError('USAGE', '--out saves a merged plan; these parts are not plans');
  if (m.kind === 'plan') {
    if (v.out) await writePlanFile(v.out, m.plan);
    out.write(renderPlan(m.plan, format, out, v.diff !== false));
    const sum = planSummary(m.plan);
    return sum.errors > 0 ? 1 : sum.changes > 0 ? 2 : 0;
  }
  if (m.kind === 'check') {
    out.write(format === 'json' ? checkToJson(m.result) : format === 'markdown' ? renderMatrixMarkdown(m.result) : renderCheckText(m.result, styleFor(out)));
    return m.result.errors ? 1 : m.result.drift ? 2 : 0;
  }
  const runs = m.runIds.join(', ') || '-';
  if (format === 'json') out.write(redactText(JSON.stringify({ format: 'clawfleet-apply', version: 1, runId: m.runIds.length === 1 ? m.runIds[0] : null, runIds: m.runIds, results: m.results, parts: m.rollouts }, null, 2)) + '\n');
  else if (format === 'markdown') out.write(renderResultsMarkdown(runs, m.results));
  else out.write(renderPartsText(m) + renderResults(m.results, styleFor(out)));
  return m.results.every(nodeOk) ? 0 : 1;
}

export function registerMerge(program: Command, io: Io): void {
  const cmd = program
    .command('merge')
    .argument('<FILE...>', 'the -f json results of the parts (plan, check or apply run with --shard i/N)')
    .summary('join the -f json results of sharded runs (--shard i/N) into one result and exit code')
    .description(
      `Joins the -f json results of the parts of a sharded run (plan, check or apply, each part run with
--shard i/N, e.g. one CI job per shard) into the result one run over all their nodes gives: the same plan
summary and diffs, drift matrix, Markdown comment and exit code. Every shard 1..N must be there exactly once;
a node in two files, parts that planned another inventory or baseline, and mixed kinds are refused.`,
    )
    .option('-o, --out <FILE>', 'plans: also save the merged plan (a saved plan for `clawfleet apply FILE`)')
    .option('-i, --inventory <FILE>', "list nodes in this inventory's order, as one run would (default: by name)")
    .option('--no-diff', 'do not show config diffs (text format)');
  withFormat(cmd, PLAN_FORMATS, 'text (default), json or markdown')
    .addHelpText(
      'after',
      `
Exit code: that of the merged command (plan and check: 0 nothing to do / all match, 2 changes / drift,
1 error; apply: 0 all ok, 1 any node failed); 1 when the parts do not fit together.`,
    )
    .action(async (files: string[], v: MergeValues) => {
      io.code = await mergeCommand(files, v, io.out);
    });
}
