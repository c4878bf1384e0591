// Issue 14, item 1: `check` never calls a missing item present. Each cell is ✓, ✗ with what drifts, or ? with why.
import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { runCli } from '../helpers/run-cli.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
const inv = () => ['-i', f.inventoryFile];
const cfg = (node: string) => `${f.node(node).root}/root/.openclaw/openclaw.json`;

async function check(): Promise<{ code: number; stdout: string; json: { rows: { node: string; cells: Record<string, { state: string; what?: string[]; why?: string; detail?: string[] }> }[] } }> {
  const text = await runCli(['check', ...inv()]);
  const j = await runCli(['check', ...inv(), '--format', 'json']);
  expect(j.code).toBe(text.code);
  return { code: text.code, stdout: text.stdout, json: JSON.parse(j.stdout) };
}

beforeAll(async () => {
  f = await tempDemoFleet();
  // the demo inventory quarantines t440's orphans: after this apply they are out of the way
  expect((await runCli(['apply', '-y', ...inv()])).code).toBe(0);
});

afterAll(async () => {
  await f?.cleanup();
});

describe('a truthful check', { timeout: 300_000 }, () => {
  it('a converged fleet is all ✓', async () => {
    const r = await check();
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('All nodes match the baseline.');
  });

  it('a node that apply would refuse (an inventory contradiction) is never reported as matching', async () => {
    const text = await readFile(f.inventoryFile, 'utf8');
    await writeFile(f.inventoryFile, text.replace(/(  t440:\n)/, '$1    keepAgents: [main]\n'));
    const r = await check();
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).not.toContain('All nodes match the baseline.');
    expect(r.stdout).toMatch(/t440: apply would refuse: .*agent "main" is named under quarantineAgents and also kept/);
    await writeFile(f.inventoryFile, text);
    expect((await check()).code).toBe(0);
  });

  it('a section that exists but is not an object drifts (✗ conflict), though apply has nothing to add', async () => {
    const before = await readFile(cfg('t440'), 'utf8');
    await writeFile(cfg('t440'), before.replace(/  browser: \{[^\n]*\},?\n/, '  browser: "off",\n'));
    const plan = await runCli(['plan', ...inv(), '--limit', 't440']);
    expect(plan.code, plan.stdout).toBe(0); // nothing to do for apply: only a warning
    const r = await check();
    expect(r.code).toBe(2);
    const cell = r.json.rows.find((x) => x.node === 't440')!.cells.browser!;
    expect(cell).toMatchObject({ state: 'drift', what: ['conflict'] });
    expect(cell.detail!.join()).toMatch(/browser: baseline expects an object but the file has a string/);
    expect(r.stdout).toMatch(/^t440 .*✗ conflict/m);
    await writeFile(cfg('t440'), before);
  });

  it('an agent dir that is a symlink, not a real dir, drifts (✗ agent-dir) even when the links behind it look right', async () => {
    const home = `${f.node('node03').root}/root/.openclaw`;
    // the agent dir moved elsewhere and replaced by a link: stat through it would find the right links
    await mkdir(`${f.node('node03').root}/srv`, { recursive: true });
    await rename(`${home}/agents/writer`, `${f.node('node03').root}/srv/writer`);
    await symlink(`${f.node('node03').root}/srv/writer`, `${home}/agents/writer`);
    const r = await check();
    expect(r.code).toBe(2);
    const cells = r.json.rows.find((x) => x.node === 'node03')!.cells;
    expect(cells.sessions).toMatchObject({ state: 'drift', what: ['agent-dir'] });
    expect(cells['agent-memory']).toMatchObject({ state: 'drift', what: ['agent-dir'] });
    expect(cells.sessions!.detail!.join()).toContain('agents/writer is a symlink');
    expect(r.stdout).toContain('✗ node03 sessions: agents/writer is a symlink');
  });

  it('a listed agent without a dir drifts; a section behind $include is ? with why; a broken config makes only its items ?', async () => {
    const home04 = `${f.node('node04').root}/root/.openclaw`;
    await rename(`${home04}/agents/tutor`, `${home04}/tutor-away`);
    const c04 = await readFile(cfg('node04'), 'utf8');
    const included = c04.replace(/  "logging": \{[\s\S]*?\n  \},\n/, '  logging: { $include: "./logging.json5" },\n');
    expect(included).not.toBe(c04);
    await writeFile(cfg('node04'), included);
    const c02 = await readFile(cfg('node02'), 'utf8');
    await writeFile(cfg('node02'), c02 + '\n}} broken');
    const r = await check();
    expect(r.code).toBe(1);
    const n04 = r.json.rows.find((x) => x.node === 'node04')!.cells;
    expect(n04.sessions).toMatchObject({ state: 'drift', what: ['agent-dir'] });
    expect(n04.logs).toMatchObject({ state: 'unknown' });
    expect(n04.logs!.why).toMatch(/logging comes from an \$include/);
    expect(n04.media).toEqual({ state: 'ok' });
    const n02 = r.json.rows.find((x) => x.node === 'node02')!.cells;
    for (const item of ['memory', 'media', 'logs', 'browser']) expect(n02[item]!.state).toBe('unknown');
    expect(n02.memory!.why).toMatch(/invalid JSON5/);
    expect(n02.sessions).toEqual({ state: 'ok' }); // the links are still judged
    expect(r.stdout).toMatch(/\? node04 logs: logging comes from an \$include/);
    expect(r.stdout).toContain('Some nodes or items could not be checked');
  });
});
