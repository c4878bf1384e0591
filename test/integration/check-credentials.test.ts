// check lists the inventory's agents that have no credentials (a note; drift with --require-credentials), on a
// converged local demo fleet, through the built CLI. Only agent ids and store paths are printed, never a key.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckResultSchema } from '../../src/check/schema.js';
import { demoKey } from '../../src/demo/scenario-data.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { runCli } from '../helpers/run-cli.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
let removed: string;
const inv = () => ['-i', f.inventoryFile];
const STORE = '/root/.openclaw/agents/writer/agent';
const credFile = () => join(f.dir, 'fleet', 'nodes', 'node03', STORE, 'auth-profiles.json');

beforeAll(async () => {
  f = await tempDemoFleet();
  const applied = await runCli(['apply', '-y', ...inv()]);
  expect(applied.code, applied.stderr).toBe(0);
  // node03's writer loses its credential file (as a freshly bootstrapped agent has none)
  removed = await readFile(credFile(), 'utf8');
  await rm(credFile());
});
afterAll(async () => {
  await f?.cleanup();
});

describe('check: agents without credentials', { timeout: 300_000 }, () => {
  it('a converged fleet: exit 0, a note naming the agent and its store on node03 only', async () => {
    const r = await runCli(['check', ...inv()]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const notes = r.stdout.split('\n').filter((l) => l.startsWith('! '));
    expect(notes).toEqual([`! node03: agents without credentials: writer (${STORE}): add them with OpenClaw (\`openclaw models auth\`); a note, not drift`]);
    expect(r.stdout).toContain('All nodes match the baseline.');
    expect(r.stdout + r.stderr).not.toContain(demoKey('node03', 'coder'));
  });

  it('json: missingCredentials per node, valid against the published types, no key material', async () => {
    const r = await runCli(['check', ...inv(), '-f', 'json']);
    expect(r.code).toBe(0);
    const j = CheckResultSchema.parse(JSON.parse(r.stdout));
    expect(Object.fromEntries(j.rows.map((row) => [row.node, row.missingCredentials]))).toEqual({ t440: [], node02: [], node03: [{ agent: 'writer', store: STORE }], node04: [] });
    expect(j.drift).toBe(false);
    expect(r.stdout).not.toMatch(/sk-ant-/);
  });

  it('--require-credentials: a credentials column, ✗ on node03 and ✓ elsewhere, exit 2, the ✗ line instead of the note', async () => {
    const r = await runCli(['check', ...inv(), '--require-credentials']);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stdout).toMatch(/^node\s.*\scredentials$/m);
    expect(r.stdout).toMatch(/^node03\s.*✗ credentials$/m);
    expect(r.stdout).toMatch(/^node02\s.*✓$/m);
    expect(r.stdout).toContain(`✗ node03 credentials: no credentials: writer (${STORE})`);
    expect(r.stdout).not.toMatch(/^! node03/m);
  });

  it('watch --require-credentials: alerts when the item drifts, stays quiet while it does, and says when it is resolved', async () => {
    const state = ['--state', join(f.dir, 'watch-state.json'), '--secret-file', join(f.dir, 'fleet-secret')];
    const watch = (...more: string[]) => runCli(['watch', ...inv(), ...state, ...more]);
    const plain = await watch();
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).not.toContain('credentials drifts');
    const first = await watch('--require-credentials');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain(`node03 credentials drifts: credentials: no credentials: writer (${STORE})`);
    expect(first.stdout).not.toMatch(/node0[24] credentials|t440 credentials/);
    const again = await watch('--require-credentials');
    expect(again.stdout).not.toContain('credentials drifts');
    await writeFile(credFile(), removed);
    const back = await watch('--require-credentials');
    expect(back.stdout).toContain('node03 credentials matches the baseline again');
    expect(first.stdout + again.stdout + back.stdout).not.toContain(demoKey('node03', 'writer'));
  });
});
