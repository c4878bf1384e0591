// Issue 4: saved plans, output formats, drift check, handlers — on the local demo fleet via the built CLI.
import { readFile, writeFile, rm, appendFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PlanSchema, planJsonSchema } from '../../src/plan-file/schema.js';
import { renderPlanMarkdown, MARKDOWN_LIMIT } from '../../src/render/plan-markdown.js';
import { runCli } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
beforeEach(async () => {
  f = await tempDemoFleet();
});
afterEach(async () => {
  await f.cleanup();
});

const inv = () => ['-i', f.inventoryFile];
const cfg = (node: string) => `${f.node(node).root}/root/.openclaw/openclaw.json`;

describe('saved plans', () => {
  // Issue 15 changed this on purpose: a saved plan whose nodes changed under its actions used to be applied in
  // part (each changed action refused, "partial" run); now it is refused as a whole, once, like Terraform's
  // stale plan. The executor still re-checks every action (for changes during the apply).
  it('refuses a plan whose nodes changed since, once, as stale, changing nothing; applies an unchanged one exactly', { timeout: 300_000 }, async () => {
    const file = `${f.dir}/plan.json`;
    const p = await runCli(['plan', ...inv(), '--out', file]);
    expect(p.code).toBe(2);
    const saved = PlanSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(saved.inventory.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.inventory.path.startsWith('/'), 'no absolute path of this machine in the plan').toBe(false);
    expect(saved.baselines[0]!.name).toBe('openclaw-classic');
    const node02 = saved.nodes.find((n) => n.node === 'node02')!;
    expect(node02.actions.every((a) => a.expect !== undefined)).toBe(true);

    // between review and apply: node03's config is edited, and a file appears in node02's logs dir
    await appendFile(cfg('node03'), '// edited after review\n');
    await writeFile(`${f.node('node02').root}/root/.openclaw/logs/late.log`, 'late\n');
    const before = await snapshotTree(f.dir, { exclude: /^$/ });
    const a = await runCli(['apply', file, '-y']);
    expect(a.code).toBe(1);
    const lines = a.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/plan is stale: made \S+ against \S*inventory\.yaml \(sha256 [0-9a-f]{12}…\); since then the nodes changed under 2 of its 58 actions \(node02 1\/25, node03 1\/1\); nothing applied/);
    expect(a.stdout).not.toMatch(/changed since plan/);
    expect(diffSnapshots(before, await snapshotTree(f.dir, { exclude: /^$/ }))).toEqual([]);

    // a fresh plan of the same fleet applies exactly its actions
    expect((await runCli(['plan', ...inv(), '--out', file])).code).toBe(2);
    const ok = await runCli(['apply', file, '-y']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/changed\s+node02: 25\/25/);
    expect(ok.stdout).toMatch(/changed\s+node03: 1\/1/);
    // and again: the plan was applied, so it is stale, said once; no new run is recorded
    const runsBefore = (await runCli(['runs', ...inv(), '--json'])).stdout;
    const again = await runCli(['apply', file, '-y']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/plan is stale: .* changed under 58 of its 58 actions .*\(the nodes already match it: was it applied\?\); nothing applied: run clawfleet plan again/);
    expect((await runCli(['runs', ...inv(), '--json'])).stdout).toBe(runsBefore);
    expect(JSON.parse(runsBefore).nodes.map((n: { runs: unknown[] }) => n.runs.length)).toEqual([1, 1, 1, 1]);
  });

  it('refuses a foreign plan and a --limit outside the plan, in one line, changing nothing', async () => {
    const file = `${f.dir}/plan.json`;
    expect((await runCli(['plan', ...inv(), '--out', file, '-l', 'node02,node03'])).code).toBe(2);
    const before = await snapshotTree(f.dir, { exclude: /^$/ });
    const outside = await runCli(['apply', file, '-y', '-l', 'node04']);
    expect(outside.code).toBe(1);
    expect(outside.stderr.trim().split('\n')).toEqual([expect.stringMatching(/--limit: node04 is not in the plan \(it has node02, node03\); nothing applied/)]);
    const p = JSON.parse(await readFile(file, 'utf8'));
    p.nodes[0].node = 'elsewhere01';
    await writeFile(file, JSON.stringify(p));
    const foreign = await runCli(['apply', file, '-y']);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr.trim().split('\n')).toEqual([expect.stringMatching(/plan is foreign: made .* against .*; its node elsewhere01 is not in .*inventory\.yaml; nothing applied/)]);
    expect(diffSnapshots(before, await snapshotTree(f.dir, { exclude: /^$/ })).filter((d) => !d.startsWith('plan.json'))).toEqual([]);
  });

  it('rejects a tampered or malformed plan file in one line, changing nothing', async () => {
    const before = await snapshotTree(f.dir, { exclude: /^$/ });
    const file = `${f.dir}/plan.json`;
    await runCli(['plan', ...inv(), '--out', file]);
    const p = JSON.parse(await readFile(file, 'utf8'));
    p.nodes[1].actions[0].path = '/root/../etc/passwd';
    await writeFile(file, JSON.stringify(p));
    const r = await runCli(['apply', file, '-y']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(file);
    // issue 11: well-formed, but not an action the planner could have made for that node
    await runCli(['plan', ...inv(), '--out', file]);
    const q = JSON.parse(await readFile(file, 'utf8'));
    const t440 = q.nodes.find((n: { node: string }) => n.node === 't440');
    Object.assign(t440.actions[0], { path: '/root/.ssh', id: 'quarantine:/root/.ssh' });
    await writeFile(file, JSON.stringify(q));
    const refused = await runCli(['apply', file, '-y']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^clawfleet apply: t440: \/root\/\.ssh: saved plan .* refused: quarantine action: .*nothing applied on any node$/)]);
    expect(refused.stdout).toMatch(/^plan file .* sha256 [0-9a-f]{64}$/m);
    await writeFile(file, '{ not json');
    expect((await runCli(['apply', file, '-y'])).code).toBe(1);
    await rm(file);
    const after = await snapshotTree(f.dir, { exclude: /^$/ });
    expect(diffSnapshots(before, after).filter((d) => !d.startsWith('plan.json'))).toEqual([]);
  });
});

describe('output formats', () => {
  it('json output validates against the checked-in JSON Schema, which matches the zod types', async () => {
    const r = await runCli(['plan', ...inv(), '--format', 'json']);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(PlanSchema.safeParse(doc).success).toBe(true);
    expect(doc.summary).toEqual({ changes: 58, changed: 4, unchanged: 0, errors: 0 });
    const checkedIn = JSON.parse(await readFile(new URL('../../schema/plan.schema.json', import.meta.url), 'utf8'));
    expect(checkedIn).toEqual(planJsonSchema());
  });

  it('markdown has a summary table and a collapsible section per node, and stays under the comment limit', async () => {
    const r = await runCli(['plan', ...inv(), '--format', 'markdown']);
    expect(r.stdout).toContain('| node | changes | errors | warnings | items |');
    expect(r.stdout).toMatch(/\| node02 \| 25 \| 0 \| 0 \|/);
    expect(r.stdout.match(/<details>/g)).toHaveLength(4);
    expect(r.stdout).toContain('```diff');
    // 400 nodes with node02's plan: one row and one section for all of them (issue 15; the truncation of
    // different plans is in test/unit/plan-render-scale.test.ts)
    const big = JSON.parse((await runCli(['plan', ...inv(), '--format', 'json'])).stdout);
    big.nodes = Array.from({ length: 400 }, (_, i) => ({ ...big.nodes[1], node: `n${i}` }));
    const md = renderPlanMarkdown(big);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toContain('| n0–n399 (400) | 25 | 0 | 0 |');
    expect(md.match(/<details>/g)).toHaveLength(1);
  });
});

describe('check', () => {
  it('shows the reference scenario at a glance and exits 2 on drift, 0 once converged', async () => {
    const r = await runCli(['check', ...inv()]);
    expect(r.code).toBe(2);
    const row = (n: string) => r.stdout.split('\n').find((l) => l.startsWith(n + ' '))!;
    for (const item of ['memory', 'media', 'logs', 'browser']) expect(r.stdout.split('\n')[0]).toContain(item);
    expect(row('node02').match(/✗/g)).toHaveLength(6);
    expect(row('node04').match(/✗/g)).toHaveLength(6);
    expect(row('node03')).toMatch(/^node03\s+✓\s+✗ config\s+✗ config\s+✗ config\s+✓\s+✓\s+✓$/);
    expect(row('t440')).toMatch(/✗ child-learning\+main$/);
    const j = JSON.parse((await runCli(['check', ...inv(), '--format', 'json'])).stdout);
    expect(j.rows.find((x: { node: string }) => x.node === 'node03').cells.memory).toEqual({ state: 'ok' });
    expect(j.rows.find((x: { node: string }) => x.node === 'node02').cells.logs.state).toBe('drift');
    expect((await runCli(['apply', '-y', ...inv()])).code).toBe(0);
    const ok = await runCli(['check', ...inv()]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('All nodes match the baseline.');
  });
});

describe('handlers', () => {
  it('runs a node handler once per apply, only when its config changed, and journals it', async () => {
    const text = await readFile(f.inventoryFile, 'utf8');
    // node03: config changes → handler runs; t440: only orphans → handler must not run
    const withHandlers = text
      .replace(/(  node03:\n)/, `$1    handler: echo restarted >> handler.log\n`)
      .replace(/(  t440:\n)/, `$1    handler: echo restarted >> handler.log\n`);
    await writeFile(f.inventoryFile, withHandlers);
    const plan = await runCli(['plan', ...inv()]);
    expect(plan.stdout).not.toContain('restarted');
    const a = await runCli(['apply', '-y', ...inv()]);
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(await readFile(`${f.node('node03').root}/handler.log`, 'utf8')).toBe('restarted\n');
    await expect(readFile(`${f.node('t440').root}/handler.log`, 'utf8')).rejects.toThrow();
    const runs = (await import('node:fs')).readdirSync(`${f.node('node03').root}/openclaw-data/.clawfleet/runs`);
    const journal = await readFile(`${f.node('node03').root}/openclaw-data/.clawfleet/runs/${runs[0]}/journal.jsonl`, 'utf8');
    expect(journal).toMatch(/"t":"handler","command":"echo restarted >> handler.log","code":0/);
    // converged: a second apply changes nothing and runs no handler
    expect((await runCli(['apply', '-y', ...inv()])).code).toBe(0);
    expect(await readFile(`${f.node('node03').root}/handler.log`, 'utf8')).toBe('restarted\n');
  });
});
