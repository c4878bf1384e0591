import { readFile } from 'node:fs/promises';
import { ClawError } from '../domain/errors.js';
import { loadInventory } from '../inventory/load-inventory.js';
import { writePlanFile } from '../plan-file/io.js';
import { checkToJson, renderCheckText } from '../render/drift-matrix.js';
import { planSummary } from '../render/plan-text.js';
import { renderResultsMarkdown } from '../render/results-formats.js';
import { renderResults } from '../render/results-text.js';
import { styleFor } from '../render/style.js';
import { nodeOk } from '../rollout/accounting.js';
import { mergeResults, type ShardDoc } from '../rollout/merge.js';
import { renderMatrixMarkdown, renderPartsText } from '../rollout/render-merge.js';
import { redactText } from '../render/redact.js';
import { parse } from './options.js';
import { formatOf, renderPlan } from './output.js';

export const MERGE_HELP = `Usage: clawfleet merge FILE... [options]

Joins the -f json results of the parts of a sharded run (plan, check or apply, each part run with
--shard i/N, e.g. one CI job per shard) into the result one run over all their nodes gives: the same plan
summary and diffs, drift matrix, Markdown comment and exit code. Every shard 1..N must be there exactly once;
a node in two files, parts that planned another inventory or baseline, and mixed kinds are refused.
Exit code: that of the merged command (plan and check: 0 nothing to do / all match, 2 changes / drift,
1 error; apply: 0 all ok, 1 any node failed); 1 when the parts do not fit together.

  -f, --format F            text (default), json or markdown
  -o, --out FILE            plans: also save the merged plan (a saved plan for \`clawfleet apply FILE\`)
  -i, --inventory FILE      list nodes in this inventory's order, as one run would (default: by name)
      --no-diff             do not show config diffs (text format)
  -h, --help                this help`;

async function readPart(file: string): Promise<ShardDoc> {
  try {
    return { file, text: await readFile(file, 'utf8') };
  } catch (e) {
    throw new ClawError('ENOENT', `cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { path: file });
  }
}

export async function mergeCommand(args: string[], out: NodeJS.WriteStream): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      format: { type: 'string', short: 'f', default: 'text' },
      out: { type: 'string', short: 'o' },
      inventory: { type: 'string', short: 'i' },
      'no-diff': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    true,
  );
  if (values.help) {
    out.write(MERGE_HELP + '\n');
    return 0;
  }
  if (positionals.length === 0) throw new ClawError('USAGE', 'merge needs the JSON files of the parts (see clawfleet merge --help)');
  const format = formatOf(values.format);
  const order = values.inventory ? (await loadInventory(values.inventory)).nodes.map((n) => n.name) : undefined;
  const m = mergeResults(await Promise.all(positionals.map(readPart)), order);
  if (values.out && m.kind !== 'plan') throw new ClawError('USAGE', '--out saves a merged plan; these parts are not plans');
  if (m.kind === 'plan') {
    if (values.out) await writePlanFile(values.out, m.plan);
    out.write(renderPlan(m.plan, format, out, !values['no-diff']));
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
