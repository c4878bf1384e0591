import { z } from 'zod';
import { ClawError, withNode } from '../domain/errors.js';
import { schemaIssueLines } from '../shared/schema-issues.js';
import type { Plan } from '../domain/plan.js';
import type { NodeResult } from '../domain/results.js';
import { NODE_NAME_RE } from '../inventory/agent-id.js';
import { PlanSchema } from '../plan-file/schema.js';
import { finish } from '../check/build.js';
import { CheckResultSchema } from '../check/schema.js';
import type { Cell, CheckResult } from '../domain/check.js';

/**
 * Joins the JSON results of shards (`plan -f json`, `check -f json`, `apply -f json`, each run with
 * `--shard i/N`) into the one result a single run over all their nodes gives. Pure: text in, data out.
 */

const nodeName = z.string().regex(NODE_NAME_RE, 'not a node name');
const ShardSchema = z.strictObject({ index: z.number().int().min(1), count: z.number().int().min(1), together: z.array(z.string()) });
export type ShardRecord = z.output<typeof ShardSchema>;

const CheckSchema = CheckResultSchema.extend({ shard: ShardSchema.optional() });
const ApplySchema = z.object({
  format: z.literal('clawfleet-apply'),
  version: z.literal(1),
  runId: z.string().nullable(),
  results: z.array(z.looseObject({ node: nodeName, status: z.string(), actions: z.array(z.unknown()) })),
  rollout: z.unknown().optional(),
  shard: ShardSchema.optional(),
});

export interface ShardDoc {
  file: string;
  text: string;
}

export type Merged =
  | { kind: 'plan'; plan: Plan }
  | { kind: 'check'; result: CheckResult }
  | { kind: 'apply'; runIds: string[]; results: NodeResult[]; rollouts: { shard: ShardRecord | null; runId: string | null; rollout: unknown }[] };

function parse<S extends z.ZodType>(doc: ShardDoc, schema: S): z.output<S> {
  const json: unknown = JSON.parse(doc.text);
  const r = schema.safeParse(json);
  if (!r.success) {
    const issues = schemaIssueLines(r.error.issues);
    throw new ClawError('MERGE', `not a clawfleet result at ${issues.join('; ')}`, { path: doc.file, issues });
  }
  // The document as written (it passed the schema): keys keep their order, so a merge reads like one run.
  return json as z.output<S>;
}

function kindOf(doc: ShardDoc): 'plan' | 'check' | 'apply' {
  let json: unknown;
  try {
    json = JSON.parse(doc.text);
  } catch (e) {
    throw new ClawError('MERGE', `not JSON: ${(e as Error).message.split('\n')[0]}`, { path: doc.file });
  }
  const f = (json as { format?: unknown } | null)?.format;
  if (f === 'clawfleet-plan') return 'plan';
  if (f === 'clawfleet-check') return 'check';
  if (f === 'clawfleet-apply') return 'apply';
  throw new ClawError('MERGE', 'not the JSON of clawfleet plan, check or apply (-f json)', { path: doc.file });
}

/** Every shard of one split exactly once, or none marked at all; a node in two files is an error. */
function checkShards(docs: ShardDoc[], shards: (ShardRecord | undefined)[], nodes: string[][]): void {
  const marked = shards.filter((s): s is ShardRecord => s !== undefined);
  if (marked.length > 0) {
    const unmarked = docs.find((_, i) => !shards[i]);
    if (unmarked) throw new ClawError('MERGE', 'has no shard mark while other files do (run every part with --shard i/N)', { path: unmarked.file });
    const count = marked[0]!.count;
    const together = marked[0]!.together.join(',');
    docs.forEach((d, i) => {
      if (shards[i]!.count !== count) throw new ClawError('MERGE', `is shard ${shards[i]!.index}/${shards[i]!.count}, the others are of ${count}`, { path: d.file });
      if (shards[i]!.together.join(',') !== together) throw new ClawError('MERGE', `was split with --shard-together "${shards[i]!.together.join(',')}", another with "${together}"`, { path: d.file });
    });
    const seen = new Map<number, string>();
    docs.forEach((d, i) => {
      const other = seen.get(shards[i]!.index);
      if (other) throw new ClawError('MERGE', `shard ${shards[i]!.index}/${count} given twice (also ${other})`, { path: d.file });
      seen.set(shards[i]!.index, d.file);
    });
    const missing = Array.from({ length: count }, (_, k) => k + 1).filter((k) => !seen.has(k));
    if (missing.length) throw new ClawError('MERGE', `shard${missing.length === 1 ? '' : 's'} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: the merged result would leave nodes out`);
  }
  const owner = new Map<string, string>();
  nodes.forEach((ns, i) => {
    for (const n of ns) {
      const other = owner.get(n);
      if (other) throw new ClawError('MERGE', `node ${n} is in both ${other} and ${docs[i]!.file} (overlapping parts)`);
      owner.set(n, docs[i]!.file);
    }
  });
}

/** Inventory order where given (`order`), else by name; nodes the order does not know go last, by name. */
function sorter(order: string[] | undefined): (a: string, b: string) => number {
  const pos = new Map((order ?? []).map((n, i) => [n, i]));
  return (a, b) => (pos.get(a) ?? Infinity) - (pos.get(b) ?? Infinity) || (a < b ? -1 : a > b ? 1 : 0);
}

export function mergeResults(docs: ShardDoc[], order?: string[]): Merged {
  if (docs.length === 0) throw new ClawError('USAGE', 'merge needs at least one JSON file');
  const kinds = docs.map(kindOf);
  const k = kinds[0]!;
  const mix = new Set(kinds);
  const applyParts = mix.size === 2 && mix.has('apply') && mix.has('plan');
  const odd = applyParts ? undefined : docs.find((_, i) => kinds[i] !== k);
  if (odd) throw new ClawError('MERGE', `is a ${kinds[docs.indexOf(odd)]} result, ${docs[0]!.file} a ${k} result: merge one kind at a time`, { path: odd.file });
  const by = sorter(order);
  // `apply -f json` prints the plan instead of results when its part had nothing to apply (or could not be
  // planned): such a part joins the others' results as up-to-date or refused nodes.
  if (applyParts) return mergeApplies(docs.map((d, i) => (kinds[i] === 'plan' ? planAsApply(d) : d)), by);
  if (k === 'plan') return { kind: 'plan', plan: mergePlans(docs, by) };
  if (k === 'check') return mergeChecks(docs, by);
  return mergeApplies(docs, by);
}

function mergePlans(docs: ShardDoc[], by: (a: string, b: string) => number): Plan {
  const plans = docs.map((d) => {
    const { summary: _s, ...p } = parse(d, PlanSchema);
    return p as Plan;
  });
  checkShards(docs, plans.map((p) => p.shard), plans.map((p) => p.nodes.map((n) => n.node)));
  const inv = plans[0]!.inventory;
  const baselines = new Map<string, string>();
  plans.forEach((p, i) => {
    if (p.inventory.sha256 !== inv.sha256) throw new ClawError('MERGE', `planned another inventory (sha256 ${p.inventory.sha256.slice(0, 12)}…, ${docs[0]!.file}: ${inv.sha256.slice(0, 12)}…)`, { path: docs[i]!.file });
    for (const b of p.baselines) {
      const had = baselines.get(b.name);
      if (had && had !== b.sha256) throw new ClawError('MERGE', `planned baseline ${b.name} with other contents than the other parts`, { path: docs[i]!.file });
      baselines.set(b.name, b.sha256);
    }
  });
  return {
    format: 'clawfleet-plan',
    version: 1,
    createdAt: plans.map((p) => p.createdAt).sort().at(-1)!,
    baselines: [...baselines].map(([name, sha256]) => ({ name, sha256 })),
    inventory: inv,
    nodes: plans.flatMap((p) => p.nodes).sort((a, b) => by(a.node, b.node)),
  };
}

function mergeChecks(docs: ShardDoc[], by: (a: string, b: string) => number): Merged {
  const checks = docs.map((d) => parse(d, CheckSchema));
  checkShards(docs, checks.map((c) => c.shard), checks.map((c) => c.rows.map((r) => r.node)));
  const items = [...new Set(checks.flatMap((c) => c.items))];
  // An item a part's baselines do not have is not an item of its nodes: "n/a", as in a single run.
  const rows = checks
    .flatMap((c) => c.rows)
    .map((r) => ({ ...r, cells: Object.fromEntries(items.map((i): [string, Cell] => [i, r.cells[i] ?? { state: 'n/a', why: 'not an item of this node' }])) }))
    .sort((a, b) => by(a.node, b.node));
  const checkedAt = checks.map((c) => c.checkedAt).sort().at(-1)!;
  const events = checks.flatMap((c) => c.credentialEvents);
  return { kind: 'check', result: finish({ format: 'clawfleet-check', version: 2, checkedAt, items, rows, drift: false, errors: false, credentialEvents: events }) };
}

function mergeApplies(docs: ShardDoc[], by: (a: string, b: string) => number): Merged {
  const applies = docs.map((d) => parse(d, ApplySchema));
  checkShards(docs, applies.map((a) => a.shard), applies.map((a) => a.results.map((r) => r.node)));
  const results = applies.flatMap((a) => a.results as unknown as NodeResult[]).sort((a, b) => by(a.node, b.node));
  return {
    kind: 'apply',
    runIds: [...new Set(applies.map((a) => a.runId).filter((r): r is string => r !== null))],
    results,
    rollouts: applies.filter((a) => a.rollout !== undefined || a.shard).map((a) => ({ shard: a.shard ?? null, runId: a.runId, rollout: a.rollout ?? null })),
  };
}

/** A part whose apply printed its plan: every node up to date, or refused with the plan's error. */
function planAsApply(doc: ShardDoc): ShardDoc {
  const { summary: _s, ...p } = parse(doc, PlanSchema);
  const results = p.nodes.map((n) => {
    const err = n.diagnostics.find((d) => d.severity === 'error');
    const actions = n.actions.map((a) => ({ id: a.id, status: 'skipped' }));
    if (err) return { node: n.node, runId: null, status: 'refused', done: 0, total: actions.length, actions, error: withNode(n.node, `${err.path ? err.path + ': ' : ''}${err.message}`) };
    if (actions.length) return { node: n.node, runId: null, status: 'refused', done: 0, total: actions.length, actions, error: withNode(n.node, 'not applied: another node of its part could not be planned') };
    return { node: n.node, runId: null, status: 'unchanged', done: 0, total: 0, actions };
  });
  return { file: doc.file, text: JSON.stringify({ format: 'clawfleet-apply', version: 1, runId: null, results, ...(p.shard ? { shard: p.shard } : {}) }) };
}
