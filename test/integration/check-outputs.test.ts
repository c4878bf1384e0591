// Issue 14, item 4: check's JSON (published schema), Prometheus textfile and waivers, on the local demo fleet.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertJsonSchema, CheckResultSchema, checkJsonSchema } from '../../src/check/schema.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { runCli } from '../helpers/run-cli.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
const inv = () => ['-i', f.inventoryFile];

beforeAll(async () => {
  f = await tempDemoFleet();
});
afterAll(async () => {
  await f?.cleanup();
});

describe('check outputs', { timeout: 300_000 }, () => {
  it('json validates against the zod types, and the checked-in schemas are what they generate', async () => {
    const r = await runCli(['check', ...inv(), '--format', 'json']);
    expect(r.code).toBe(2);
    const j = CheckResultSchema.parse(JSON.parse(r.stdout));
    expect(j.rows.map((x) => x.node)).toEqual(['t440', 'node02', 'node03', 'node04']);
    expect(j.rows[0]!.credentials!.profiles).toBe(16);
    expect(JSON.parse(await readFile(new URL('../../schema/check.schema.json', import.meta.url), 'utf8'))).toEqual(checkJsonSchema());
    expect(JSON.parse(await readFile(new URL('../../schema/alert.schema.json', import.meta.url), 'utf8'))).toEqual(alertJsonSchema());
  });

  it('prometheus: a node_exporter textfile (written atomically with --out) with drift per node and item', async () => {
    const out = join(f.dir, 'clawfleet.prom');
    const r = await runCli(['check', ...inv(), '--format', 'prometheus', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const text = await readFile(out, 'utf8');
    for (const line of text.trim().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) clawfleet_\w+ .+|clawfleet_\w+(\{(\w+="[^"\n]*",?)+\})? -?\d+(\.\d+)?)$/);
    expect(text).toContain('clawfleet_item_state{node="node03",item="media",state="drift"} 1');
    expect(text).toContain('clawfleet_item_state{node="node03",item="memory",state="ok"} 1');
    expect(text).toContain('clawfleet_node_drift{node="node03"} 1');
    expect(text).toContain('clawfleet_node_up{node="t440"} 1');
    expect(text).toContain('clawfleet_credential_profiles{node="t440"} 16');
    const w = await runCli(['watch', ...inv(), '--state', join(f.dir, 'st.json'), '--secret-file', join(f.dir, 'sec'), '--format', 'prometheus']);
    expect(w.code).toBe(0);
    expect(w.stdout).toMatch(/^clawfleet_last_success_timestamp_seconds \d+\.\d{3}$/m);
    expect(w.stdout).toContain('clawfleet_alerts{kind="drift"} 16');
  });

  it('waivers: waived drift is ~ and does not fail the check; an expired one is loud again; a bad file is one line', async () => {
    const wf = join(f.dir, 'fleet', 'waivers.yaml');
    await writeFile(wf, 'version: 1\nwaivers:\n  - node: node03\n    item: "*"\n    reason: node03 is being rebuilt\n    expires: 2999-12-31\n  - node: "node0[24]"\n    item: memory\n    reason: old\n    expires: 2020-01-01\n');
    const r = await runCli(['check', ...inv(), '--limit', 'node03']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^node03\s+✓\s+~ config/m);
    expect(r.stdout).toContain('~ node03 media: waived until 2999-12-31: node03 is being rebuilt');
    const expired = await runCli(['check', ...inv(), '--limit', 'node03', '--waivers', wf.replace('waivers.yaml', 'w2.yaml')]);
    expect(expired.code).toBe(1); // --waivers names a file that must exist
    expect(expired.stderr).toMatch(/w2\.yaml: cannot read/);
    await writeFile(wf, 'version: 1\nwaivers:\n  - node: node03\n    item: media\n    reason: x\n    expires: tomorrow\n');
    const bad = await runCli(['check', ...inv()]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/waivers\.yaml: line \d+: waivers\[0\]\.reason: .*reason/);
    await writeFile(wf, 'version: 1\nwaivers:\n  - node: node03\n    item: media\n    reason: known, ticket 42\n    expires: 2020-01-01\n');
    const loud = await runCli(['check', ...inv(), '--limit', 'node03']);
    expect(loud.code).toBe(2);
    expect(loud.stdout).toMatch(/^node03\s+✓\s+✗ config/m);
  });
});
