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
  it('applies exactly the reviewed actions, refusing only those whose node state changed since', async () => {
    const file = `${f.dir}/plan.json`;
    const p = await runCli(['plan', ...inv(), '--out', file]);
    expect(p.code).toBe(2);
    const saved = PlanSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(saved.inventory.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(saved.baselines[0]!.name).toBe('openclaw-classic');
    const node02 = saved.nodes.find((n) => n.node === 'node02')!;
    expect(node02.actions.every((a) => a.expect !== undefined)).toBe(true);

    // between review and apply: node03's config is edited, and a file appears in node02's logs dir
    await appendFile(cfg('node03'), '// edited after review\n');
    await writeFile(`${f.node('node02').root}/root/.openclaw/logs/late.log`, 'late\n');
    // and node04 gains an orphan that the saved plan never saw: it must not be touched
    await writeFile(`${f.node('node04').root}/root/.openclaw/agents/newcomer`, 'x', { flag: 'w' }).catch(() => undefined);

    const a = await runCli(['apply', file, '-y']);
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/partial\s+node02: 24\/25 actions applied, 1 refused/);
    expect(a.stdout).toMatch(/node02: \/root\/\.openclaw\/logs: changed since plan/);
    expect(a.stdout).toMatch(/partial\s+node03: 0\/1 actions applied, 1 refused/);
    expect(a.stdout).toMatch(/changed\s+node04: 30\/30/);
    expect(a.stdout).toMatch(/changed\s+t440: 2\/2/);
    // node03's edited config was not touched
    expect(await readFile(cfg('node03'), 'utf8')).toContain('// edited after review');
    // the saved plan never re-plans: a fresh plan still has the refused actions to do
    const again = await runCli(['plan', ...inv()]);
    expect(again.stdout).toMatch(/node02: 1 change/);
    expect(again.stdout).toMatch(/node03: 1 change/);
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
    // a huge plan is truncated with a note
    const big = JSON.parse((await runCli(['plan', ...inv(), '--format', 'json'])).stdout);
    big.nodes = Array.from({ length: 400 }, (_, i) => ({ ...big.nodes[1], node: `n${i}` }));
    const md = renderPlanMarkdown(big);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toMatch(/Truncated: \d+ node sections not shown/);
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
