// Version awareness in the facts: the openclaw program (present or not) is recorded separately from the
// version, which comes from `openclaw --version` when it answers, else from meta.lastTouchedVersion.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenclawBinary } from '../../src/domain/facts.js';
import { gatherFacts } from '../../src/facts/gather.js';
import { LocalNode } from '../../src/transport/local.js';
import type { NodeReader } from '../../src/transport/types.js';
import { planNode } from '../../src/planner/plan-node.js';
import { CLASSIC_CONFIG_FULL, converged, nodeSpec, shippedBaseline } from '../helpers/plan-builders.js';

let dir: string;
let root: string;
const PATH = process.env.PATH;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clawfleet-ocfacts-'));
  root = join(dir, 'node');
  const oc = join(root, 'root/.openclaw');
  mkdirSync(join(oc, 'agents/alpha/agent'), { recursive: true });
  mkdirSync(join(oc, 'agents/beta'), { recursive: true });
  writeFileSync(join(oc, 'openclaw.json'), '{ meta: { lastTouchedVersion: "2026.9.6" } }');
  writeFileSync(join(oc, 'agents/alpha/agent/openclaw-agent.sqlite'), 'SQLite format 3');
  writeFileSync(join(oc, 'agents/alpha/agent/auth-profiles.json.migrated-1'), '{}');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin/openclaw'), '#!/bin/sh\necho "OpenClaw 2026.5.28 (fake)"\n');
  chmodSync(join(dir, 'bin/openclaw'), 0o755);
});

afterEach(() => {
  process.env.PATH = PATH;
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The sandbox node (root dir) with its openclaw answer replaced. */
function reader(binary: OpenclawBinary | null): NodeReader {
  const inner = new LocalNode({ node: 'n1', root, home: '/root' });
  return new Proxy(inner, {
    get(t, prop, recv) {
      if (prop === 'openclawBinary') return async () => binary;
      if (prop === 'openclawVersion') return async () => binary?.version ?? null;
      const v = Reflect.get(t, prop, recv) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

const spec = nodeSpec({ agents: ['alpha', 'beta', 'gamma'], baseline: 'openclaw-current' });
const facts = async (binary: OpenclawBinary | null) => (await gatherFacts(reader(binary), spec, shippedBaseline('openclaw-current'))).facts;

describe('facts: the openclaw program and its version', () => {
  it('program present and answering: binary recorded, its version wins over the config', async () => {
    const f = await facts({ path: '/usr/local/bin/openclaw', version: '2026.9.7' });
    expect(f.openclawBinary).toEqual({ path: '/usr/local/bin/openclaw', version: '2026.9.7' });
    expect(f.openclawVersion).toEqual({ version: '2026.9.7', source: 'binary' });
  });

  it('program present but no usable --version: still present; the version comes from the config', async () => {
    const f = await facts({ path: '/usr/local/bin/openclaw', version: null });
    expect(f.openclawBinary).toEqual({ path: '/usr/local/bin/openclaw', version: null });
    expect(f.openclawVersion).toEqual({ version: '2026.9.6', source: 'config' });
  });

  it('no program: absent, the version from the config', async () => {
    const f = await facts(null);
    expect(f.openclawBinary).toBeNull();
    expect(f.openclawVersion).toEqual({ version: '2026.9.6', source: 'config' });
  });

  it("lists every listed agent's agent/ dir (null where there is none), in the same probe", async () => {
    const f = await facts(null);
    expect(f.agentFiles).toEqual({ alpha: ['auth-profiles.json.migrated-1', 'openclaw-agent.sqlite'], beta: null, gamma: null });
  });
});

describe('local transport: programs only without a root dir', () => {
  it('a sandbox root has no programs, whatever the PATH holds', async () => {
    process.env.PATH = `${join(dir, 'bin')}:${PATH}`;
    const n = new LocalNode({ node: 'n1', root, home: '/root' });
    expect(await n.openclawBinary()).toBeNull();
    expect(await n.openclawVersion()).toBeNull();
  });

  it('without a root it finds openclaw on the PATH', async () => {
    process.env.PATH = `${join(dir, 'bin')}:${PATH}`;
    const n = new LocalNode({ node: 'n1', root: '/', home: dir });
    expect(await n.openclawBinary()).toEqual({ path: join(dir, 'bin/openclaw'), version: '2026.5.28' });
    expect(await n.openclawVersion()).toBe('2026.5.28');
  });
});

describe('rule: version — a program without a usable --version', () => {
  it('the warning says the program is there but named no version', () => {
    const baseline = shippedBaseline('openclaw-classic');
    const b = converged({ baseline, node: { baseline: baseline.name }, config: CLASSIC_CONFIG_FULL.replace(/meta: \{[^}]*\},/, '') })
      .openclaw(null)
      .program({ path: '/usr/local/bin/openclaw', version: null });
    const p = planNode(b.build());
    expect(p.diagnostics.map((d) => d.message)).toEqual([
      expect.stringMatching(/^OpenClaw version unknown \(\/usr\/local\/bin\/openclaw --version named none, no meta\.lastTouchedVersion\): config written for the classic shape/),
    ]);
  });
});
