import JSON5 from 'json5';
import { describe, expect, it } from 'vitest';
import type { Action, MergeConfigAction } from '../../src/domain/actions.js';
import { nodeHasErrors, type Diagnostic, type NodePlan, type Severity } from '../../src/domain/plan.js';
import { mergedText } from '../../src/json5-editor/merged-text.js';
import { sha256Hex } from '../../src/shared/manifest.js';
import { planNode } from '../../src/planner/plan-node.js';
import { sectionsOf } from '../../src/planner/rule-config.js';
import { layoutFor } from '../../src/shared/layout.js';
import type { NodeSpec } from '../../src/domain/inventory.js';
import {
  bare,
  CLASSIC_CONFIG_FULL,
  CONFIG,
  converged,
  DATA,
  deepFreeze,
  HOME,
  IN_RANGE,
  InputBuilder,
  manifestOf,
  miniBaseline,
  nodeSpec,
  OC,
  shippedBaseline,
} from '../helpers/plan-builders.js';

/*
 * Fixture tables for every planner rule. Each row starts from a node that is converged on its baseline
 * (or from a bare machine) and changes a few facts; the row lists the complete expected actions and
 * diagnostics (matched field by field; messages by regexp), so any extra or missing finding fails.
 */

type ExpectedDiag = { severity: Severity; path?: string; message: RegExp };
interface Row {
  name: string;
  input: () => InputBuilder;
  actions: Partial<Action>[] | Record<string, unknown>[];
  diagnostics: ExpectedDiag[];
}

const plan = (b: InputBuilder): NodePlan => planNode(b.build());

function check(row: Row): NodePlan {
  const p = plan(row.input());
  expect(p.actions, 'actions').toMatchObject(row.actions);
  expect(p.actions).toHaveLength(row.actions.length);
  expect(
    p.diagnostics.map((d) => ({ severity: d.severity, path: d.path, message: d.message })),
    'diagnostics',
  ).toMatchObject(row.diagnostics.map((d) => ({ ...d, message: expect.stringMatching(d.message) })));
  expect(p.diagnostics).toHaveLength(row.diagnostics.length);
  for (const d of p.diagnostics) expect(d.node).toBe('n1');
  return p;
}

const AGENTS = `${OC}/agents`;
const MEM = `${OC}/memory`;
const MEM_T = `${DATA}/memory`;
const SESS = `${AGENTS}/alpha/sessions`;
const SESS_T = `${DATA}/agents/alpha/sessions`;

const ensureDir = (path: string, mode = 0o755) => ({ type: 'ensure-dir', id: `dir:${path}`, path, mode, expect: { kind: 'missing' } });

describe('converged nodes', () => {
  it('a node converged on the mini baseline: zero actions, zero diagnostics', () => {
    const p = plan(converged());
    expect(p.actions).toEqual([]);
    expect(p.diagnostics).toEqual([]);
    expect(p.paths).toEqual({ home: OC, dataRoot: DATA, attic: `${OC}/.clawfleet`, stateDir: `${DATA}/.clawfleet` });
  });

  it('a node converged on the shipped classic baseline (15 agents): zero actions, zero diagnostics', () => {
    const agents = ['assistant', 'coder', 'researcher', 'writer', 'translator', 'scheduler', 'analyst', 'support', 'ops', 'sales', 'legal', 'finance', 'hr', 'design', 'tutor'];
    const baseline = shippedBaseline('openclaw-classic');
    const p = plan(converged({ baseline, node: { agents, baseline: 'openclaw-classic' }, config: CLASSIC_CONFIG_FULL }));
    expect(p.actions).toEqual([]);
    expect(p.diagnostics).toEqual([]);
    expect(p.protected).toEqual(baseline.protected);
  });
});

describe('rule: data dirs', () => {
  const rows: Row[] = [
    {
      name: 'data dirs missing under an existing root → ensure-dir each, parents first',
      input: () => converged().missing(`${DATA}/agents`).missing(MEM_T).missing(`${DATA}/agents/alpha`).missing(SESS_T),
      actions: [ensureDir(`${DATA}/agents`), ensureDir(MEM_T), ensureDir(`${DATA}/agents/alpha`), ensureDir(SESS_T)],
      diagnostics: [],
    },
    {
      name: 'only the deepest data dir missing → one ensure-dir',
      input: () => converged().missing(SESS_T),
      actions: [ensureDir(SESS_T)],
      diagnostics: [],
    },
    {
      name: 'data root missing → info, no action for the root itself (apply creates it with its journal)',
      input: () => converged().missing(DATA).missing(`${DATA}/agents`).missing(MEM_T).missing(`${DATA}/agents/alpha`).missing(SESS_T),
      actions: [ensureDir(`${DATA}/agents`), ensureDir(MEM_T), ensureDir(`${DATA}/agents/alpha`), ensureDir(SESS_T)],
      diagnostics: [{ severity: 'info', path: DATA, message: /data root is missing/ }],
    },
    {
      name: 'data root is a symlink (a mount elsewhere) → accepted',
      input: () => converged().symlink(DATA, '/mnt/big/openclaw-data'),
      actions: [],
      diagnostics: [],
    },
    {
      name: 'data dir that is a file → error naming the path, no action for it',
      input: () => converged().file(MEM_T, 'not a dir'),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM_T, message: /expected a dir \(data dir\), found a file/ }],
    },
    {
      name: 'data root that is a file → error naming the data root',
      input: () => converged().file(DATA),
      actions: [],
      diagnostics: [{ severity: 'error', path: DATA, message: /expected a dir.*found a file/ }],
    },
    {
      name: 'data dir that is a symlink (not the root) → error',
      input: () => converged().symlink(MEM_T, '/elsewhere'),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM_T, message: /found a symlink to \/elsewhere/ }],
    },
    {
      name: 'OpenClaw home missing → ensure-dir with mode 0700, before the data dirs (no more open than it: 0700)',
      input: () => converged().missing(OC).missing(MEM_T),
      actions: [ensureDir(OC, 0o700), ensureDir(MEM_T, 0o700)],
      diagnostics: [],
    },
    {
      name: 'the baseline dirMode is the mode of created data dirs',
      input: () => converged({ baseline: miniBaseline({ dirMode: 0o750 }) }).missing(MEM_T),
      actions: [ensureDir(MEM_T, 0o750)],
      diagnostics: [],
    },
    {
      name: 'a root gateway too: a new data dir is no more open than the OpenClaw home (0755 → 0700 behind a 0700 home)',
      input: () => converged().owned(OC, 0, 0, 0o700).missing(MEM_T),
      actions: [ensureDir(MEM_T, 0o700)],
      diagnostics: [],
    },
  ];
  it.each(rows)('$name', (row) => {
    check(row);
  });

  it('on a bare machine every ensure-dir comes after its parent (exists or created earlier)', () => {
    const b = bare({ node: { agents: ['alpha', 'beta'] } });
    const p = plan(b);
    const dirs = p.actions.filter((a) => a.type === 'ensure-dir').map((a) => a.path);
    expect(dirs).toContain(`${DATA}/agents/beta/sessions`);
    expect(dirs).not.toContain(DATA);
    const created = new Set<string>([DATA, HOME]); // the root is created by apply first; the home dir exists
    for (const d of dirs) {
      expect(created.has(d.slice(0, d.lastIndexOf('/'))), `${d} after its parent`).toBe(true);
      created.add(d);
    }
  });
});

describe('rule: links', () => {
  const src = { 'a.sqlite': 'SQLite A', 'sub/b.txt': 'B' };
  const rows: Row[] = [
    {
      name: 'link slot missing → link, expect missing',
      input: () => converged().missing(MEM),
      actions: [{ type: 'link', id: `link:${MEM}`, path: MEM, target: MEM_T, expect: { kind: 'missing' }, copy: [], same: [] }],
      diagnostics: [],
    },
    {
      name: 'agent link slot missing → link into the agent data dir',
      input: () => converged().missing(SESS),
      actions: [{ type: 'link', path: SESS, target: SESS_T, expect: { kind: 'missing' }, copy: [], same: [] }],
      diagnostics: [],
    },
    {
      name: 'symlink with the right target → nothing',
      input: () => converged().symlink(MEM, MEM_T),
      actions: [],
      diagnostics: [],
    },
    {
      name: 'symlink with a wrong target → link expecting that symlink + warning about the old target',
      input: () => converged().symlink(MEM, '/old/memory'),
      actions: [{ type: 'link', path: MEM, target: MEM_T, expect: { kind: 'symlink', target: '/old/memory' }, copy: [], same: [] }],
      diagnostics: [{ severity: 'warning', path: MEM, message: /old link target \/old\/memory is left as it is/ }],
    },
    {
      name: 'real dir with entries, target missing → link copying every top-level entry, expect the dir digest',
      input: () => converged().dir(MEM, src).missing(MEM_T),
      actions: [
        ensureDir(MEM_T),
        { type: 'link', path: MEM, target: MEM_T, expect: { kind: 'dir', digest: manifestOf(src).digest }, copy: ['a.sqlite', 'sub'], same: [] },
      ],
      diagnostics: [],
    },
    {
      name: 'real dir with entries, empty target dir → copy all',
      input: () => converged().dir(MEM, src).dir(MEM_T, {}),
      actions: [{ type: 'link', path: MEM, expect: { kind: 'dir', digest: manifestOf(src).digest }, copy: ['a.sqlite', 'sub'], same: [] }],
      diagnostics: [],
    },
    {
      name: 'entry identical in the target → listed in same, not copied',
      input: () => converged().dir(MEM, src).dir(MEM_T, { 'sub/b.txt': 'B', 'unrelated.txt': 'U' }),
      actions: [{ type: 'link', path: MEM, copy: ['a.sqlite'], same: ['sub'] }],
      diagnostics: [],
    },
    {
      name: 'name clash with different content → error naming the path, no action',
      input: () => converged().dir(MEM, src).dir(MEM_T, { 'a.sqlite': 'SQLite OTHER' }),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM, message: /name clash: "a\.sqlite" exists in \/openclaw-data\/memory with different content/ }],
    },
    {
      name: 'name clash deep inside a sub dir → error',
      input: () => converged().dir(MEM, src).dir(MEM_T, { 'sub/b.txt': 'B2' }),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM, message: /name clash: "sub"/ }],
    },
    {
      name: 'link target that is a file (slot is a real dir) → error naming the target, no link',
      input: () => converged().dir(MEM, src).file(MEM_T),
      actions: [],
      diagnostics: [
        { severity: 'error', path: MEM_T, message: /expected a dir \(data dir\), found a file/ },
        { severity: 'error', path: MEM_T, message: /link target must be a dir, found a file/ },
      ],
    },
    {
      name: 'link target that is a file (slot missing) → error naming the target',
      input: () => converged().missing(MEM).file(MEM_T),
      actions: [{ type: 'link', path: MEM, expect: { kind: 'missing' } }],
      diagnostics: [{ severity: 'error', path: MEM_T, message: /expected a dir \(data dir\), found a file/ }],
    },
    {
      name: 'link target dir that could not be listed → error (unlisted is not empty)',
      input: () => {
        const b = converged().dir(MEM, src).dir(MEM_T);
        b.manifests[MEM_T] = null;
        return b;
      },
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM_T, message: /could not be listed/ }],
    },
    {
      name: 'link source holding a protected file → error, no action',
      input: () =>
        converged({ baseline: miniBaseline({ protected: ['agents/*/agent/auth-profiles.json', 'agents/*/sessions/*.key'] }) }).dir(SESS, {
          's1.jsonl': '{}',
          'token.key': 'secret',
        }),
      actions: [],
      diagnostics: [{ severity: 'error', path: SESS, message: /holds protected file token\.key/ }],
    },
    {
      name: 'link slot that is itself a protected path → error',
      input: () => converged({ baseline: miniBaseline({ protected: ['memory'] }) }).dir(MEM, src),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM, message: /is a protected path/ }],
    },
    {
      name: 'link slot that is a file → error',
      input: () => converged().file(MEM, 'x'),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM, message: /expected a dir or a symlink, found a file/ }],
    },
    {
      name: 'real dir whose listing is missing → error',
      input: () => converged().dir(MEM),
      actions: [],
      diagnostics: [{ severity: 'error', path: MEM, message: /could not be listed/ }],
    },
    {
      name: 'agent listed but its dir absent → info, no agent links (its data dirs are still made)',
      input: () => converged().agents().missing(`${AGENTS}/alpha`).missing(SESS).missing(SESS_T),
      actions: [ensureDir(SESS_T)],
      diagnostics: [{ severity: 'info', path: SESS, message: /agent "alpha" has no dir on the node yet/ }],
    },
    {
      name: 'agent "dir" that is a file → treated as absent',
      input: () => converged().agents({ name: 'alpha', kind: 'file' }).missing(SESS),
      actions: [],
      diagnostics: [{ severity: 'info', path: SESS, message: /agent "alpha" has no dir/ }],
    },
  ];
  it.each(rows)('$name', (row) => {
    const p = check(row);
    expect(nodeHasErrors(p)).toBe(row.diagnostics.some((d) => d.severity === 'error'));
  });

  it('a link never plans a copy of a name that is also in same', () => {
    const p = plan(converged().dir(MEM, { a: '1', b: '2', c: '3' }).dir(MEM_T, { b: '2' }));
    const l = p.actions.find((a) => a.type === 'link');
    expect(l).toMatchObject({ copy: ['a', 'c'], same: ['b'] });
  });
});

describe('rule: config', () => {
  const rows: Row[] = [
    {
      name: 'config missing → merge-config creating it, expect missing, mode 0600',
      input: () => converged().configFact({ kind: 'missing' }),
      actions: [{ type: 'merge-config', id: `config:${CONFIG}`, path: CONFIG, expect: { kind: 'missing' }, mode: 0o600, added: ['logging', 'tools'] }],
      diagnostics: [],
    },
    {
      name: 'config missing, baseline mode 0640 → new file gets 0640',
      input: () => converged({ baseline: miniBaseline({ config: { mode: 0o640, sections: [{ path: 'logging', value: { level: 'info' } }] } }) }).configFact({ kind: 'missing' }),
      actions: [{ type: 'merge-config', mode: 0o640, added: ['logging'] }],
      diagnostics: [],
    },
    {
      name: 'config with all sections → no action',
      input: () => converged(),
      actions: [],
      diagnostics: [],
    },
    {
      name: 'existing file lacking a section → merge-config expecting its sha256, keeping its mode',
      input: () => converged().configText('{ logging: { level: "info", file: "/openclaw-data/logs/openclaw.log" } }\n', 0o644),
      actions: [{ type: 'merge-config', expect: { kind: 'file', sha256: sha256Hex('{ logging: { level: "info", file: "/openclaw-data/logs/openclaw.log" } }\n') }, mode: 0o644, added: ['tools'] }],
      diagnostics: [],
    },
    {
      name: 'config invalid JSON5 → error with line:col, no action',
      input: () => converged().configText('{\n  logging: { level: "info" },\n  tools: ]\n}\n'),
      actions: [],
      diagnostics: [{ severity: 'error', path: CONFIG, message: /^invalid JSON5 at 3:10\b/ }],
    },
    {
      name: 'config whose root is not an object → error',
      input: () => converged().configText('[1, 2]\n'),
      actions: [],
      diagnostics: [{ severity: 'error', path: CONFIG, message: /root is not an object/ }],
    },
    {
      name: 'config is a symlink → error, nothing written through it',
      input: () => converged().configFact({ kind: 'symlink', target: '/etc/openclaw.json' }),
      actions: [],
      diagnostics: [{ severity: 'error', path: CONFIG, message: /found a symlink to \/etc\/openclaw\.json; refusing to write through it/ }],
    },
    {
      name: 'config is a dir → error',
      input: () => converged().configFact({ kind: 'dir', mode: 0o700 }),
      actions: [],
      diagnostics: [{ severity: 'error', path: CONFIG, message: /expected the config file, found a dir/ }],
    },
    {
      name: 'existing differing values are kept: added lists only absent keys',
      input: () => converged().configText('{ logging: { level: "debug" }, tools: { media: { concurrency: 8, image: { enabled: false } } } }\n'),
      actions: [{ type: 'merge-config', added: ['logging.file'] }],
      diagnostics: [],
    },
    {
      name: '$include section → info, nothing added there',
      input: () => converged().configText('{ logging: { $include: "./logging.json5" }, tools: {} }\n'),
      actions: [{ type: 'merge-config', added: ['tools.media'] }],
      diagnostics: [{ severity: 'info', path: CONFIG, message: /^logging comes from an \$include/ }],
    },
    {
      name: '$include section and everything else present → info only, no action',
      input: () => converged().configText('{ logging: { $include: "./logging.json5" }, tools: { media: { concurrency: 2, image: { enabled: true } } } }\n'),
      actions: [],
      diagnostics: [{ severity: 'info', path: CONFIG, message: /logging comes from an \$include/ }],
    },
    {
      name: 'a section holding a non-object → warning, left as it is',
      input: () => converged().configText('{ logging: "verbose", tools: { media: { concurrency: 2, image: { enabled: true } } } }\n'),
      actions: [],
      diagnostics: [{ severity: 'warning', path: CONFIG, message: /^logging: baseline expects an object but the file has a string/ }],
    },
    {
      name: 'a node override of a key the file already has → the file wins, no action',
      input: () => converged({ node: { overrides: { logging: { level: 'debug' } } } }),
      actions: [],
      diagnostics: [],
    },
  ];
  it.each(rows)('$name', (row) => {
    check(row);
  });

  function mergeAction(p: NodePlan): MergeConfigAction {
    const a = p.actions.find((x): x is MergeConfigAction => x.type === 'merge-config');
    expect(a, 'a merge-config action').toBeDefined();
    return a!;
  }

  it('existing differing values stay byte-for-byte in the text the action writes', () => {
    const text = '{ logging: { level: "debug" /* keep */ }, tools: { media: { concurrency: 8, image: { enabled: false } } } }\n';
    const b = converged().configText(text);
    const a = mergeAction(plan(b));
    const after = mergedText(text, a.sections);
    expect(sha256Hex(after.text)).toBe(a.afterSha256);
    expect(after.text).toContain('level: "debug"');
    expect(after.text).toContain('/* keep */');
    const v = JSON5.parse(after.text) as { logging: Record<string, unknown>; tools: { media: Record<string, unknown> } };
    expect(v.logging).toEqual({ level: 'debug', file: '/openclaw-data/logs/openclaw.log' });
    expect(v.tools.media).toEqual({ concurrency: 8, image: { enabled: false } });
    expect(a.added).not.toContain('logging.level');
    expect(a.added.some((k) => k.startsWith('tools'))).toBe(false);
  });

  it('an override for a section the baseline does not have is an error (a typo never passes silently)', () => {
    const b = converged({ node: { overrides: { loggin: { level: 'debug' } } } });
    const p = plan(b);
    expect(p.diagnostics).toMatchObject([{ severity: 'error', path: CONFIG, message: expect.stringMatching(/override for "loggin", which is not a section of baseline/) }]);
  });

  it('node overrides replace default values in what is added (and the rest of the default stays)', () => {
    const b = converged({ node: { overrides: { logging: { level: 'debug' }, 'tools.media': { image: { enabled: false } } } } }).configText('{}\n');
    const a = mergeAction(plan(b));
    expect(a.sections).toEqual([
      { path: ['logging'], value: { level: 'debug', file: '/openclaw-data/logs/openclaw.log' } },
      { path: ['tools', 'media'], value: { concurrency: 2, image: { enabled: false } } },
    ]);
    const after = mergedText('{}\n', a.sections);
    expect(sha256Hex(after.text)).toBe(a.afterSha256);
    expect(JSON5.parse(after.text)).toEqual({
      logging: { level: 'debug', file: '/openclaw-data/logs/openclaw.log' },
      tools: { media: { concurrency: 2, image: { enabled: false } } },
    });
    expect(a.diff).toContain('"debug"');
    expect(a.diff).not.toContain('"info"');
  });

  it('a missing config is created from the empty document, and afterSha256 is what the merge produces', () => {
    const a = mergeAction(plan(converged().configFact({ kind: 'missing' })));
    const after = mergedText(null, a.sections);
    expect(a.afterSha256).toBe(sha256Hex(after.text));
    expect(JSON5.parse(after.text)).toEqual({ logging: { level: 'info', file: '/openclaw-data/logs/openclaw.log' }, tools: { media: { concurrency: 2, image: { enabled: true } } } });
  });

  it('the diff shown is redacted: a secret in the file never reaches the plan', () => {
    const key = 'sk-ant-api03-DEMOabcdefghijklmnopqrstuvwxyz0123456789';
    const text = `{\n  models: { apiKey: "${key}" },\n  tools: {},\n}\n`;
    const p = plan(converged().configText(text));
    expect(JSON.stringify(p)).not.toContain(key);
    expect(mergeAction(p).diff).toContain('+');
  });
});

describe('rule: version', () => {
  const classic = () => shippedBaseline('openclaw-classic');
  const current = () => shippedBaseline('openclaw-current');
  const at = (baseline: ReturnType<typeof classic>, version: string | null, source: 'binary' | 'config' = 'binary') => () =>
    converged({ baseline, node: { baseline: baseline.name }, config: CLASSIC_CONFIG_FULL })
      .configFact({ kind: 'missing' })
      .openclaw(version, source);
  // Actions are those of a missing config; only the version diagnostics differ between rows.
  const rows: { name: string; input: () => InputBuilder; diagnostics: ExpectedDiag[] }[] = [
    {
      name: 'classic baseline, node on 2026.9.6 → error naming the current shape',
      input: at(classic(), '2026.9.6'),
      diagnostics: [{ severity: 'error', path: CONFIG, message: /OpenClaw 2026\.9\.6 \(from binary\), which needs the current config shape; baseline "openclaw-classic" writes the classic shape/ }],
    },
    {
      name: 'classic baseline, node on 2026.8.1 (first current release) → error naming the current shape',
      input: at(classic(), '2026.8.1', 'config'),
      diagnostics: [
        { severity: 'error', path: CONFIG, message: /2026\.8\.1 \(from config\), which needs the current config shape/ },
        { severity: 'info', path: CONFIG, message: /no openclaw program on this node: the merged config cannot be checked with OpenClaw's own validator/ },
      ],
    },
    {
      name: 'classic baseline, node older than its minimum → error naming the range, not a contradictory shape',
      input: at(classic(), '2026.1.4'),
      diagnostics: [{ severity: 'error', path: CONFIG, message: /2026\.1\.4 \(from binary\), which is outside the versions baseline "openclaw-classic" targets \(2026\.3\.2 – 2026\.7\.999\)/ }],
    },
    {
      name: 'classic baseline, 2026.8.0 (classic shape, past the range) → no contradiction either',
      input: at(classic(), '2026.8.0'),
      diagnostics: [{ severity: 'error', path: CONFIG, message: /is outside the versions baseline "openclaw-classic" targets/ }],
    },
    {
      name: 'current baseline, classic node → the transition plan before the upgrade (a warning, no config change)',
      input: at(current(), '2026.5.28'),
      diagnostics: [{ severity: 'warning', path: CONFIG, message: /2026\.5\.28.*below baseline "openclaw-current" \(≥ 2026\.8\.1\): transition plan before the upgrade: only the links OpenClaw 2026\.8\.1\+ refuses are turned back into real dirs; the config keeps its classic shape/ }],
    },
    { name: 'classic baseline, 2026.5.28 → fine', input: at(classic(), IN_RANGE), diagnostics: [] },
    { name: 'classic baseline, its maximum 2026.7.999 → fine', input: at(classic(), '2026.7.999'), diagnostics: [] },
    { name: 'classic baseline, its minimum 2026.3.2 → fine', input: at(classic(), '2026.3.2'), diagnostics: [] },
    { name: 'current baseline, 2026.9.6 → fine', input: at(current(), '2026.9.6'), diagnostics: [] },
    {
      name: 'unknown version → warning (not an error)',
      input: at(classic(), null),
      diagnostics: [
        { severity: 'warning', path: CONFIG, message: /OpenClaw version unknown.*classic shape \(2026\.3\.2 – 2026\.7\.999\)/ },
        { severity: 'info', path: CONFIG, message: /no openclaw program on this node/ },
      ],
    },
  ];
  it.each(rows)('$name', (row) => {
    const p = plan(row.input());
    const version = p.diagnostics.filter((d) => /OpenClaw/.test(d.message));
    expect(version.map((d) => ({ severity: d.severity, path: d.path, message: d.message }))).toMatchObject(
      row.diagnostics.map((d) => ({ ...d, message: expect.stringMatching(d.message) })),
    );
    expect(version).toHaveLength(row.diagnostics.length);
    expect(p.diagnostics).toHaveLength(row.diagnostics.length);
    // the transition plan writes no config (the classic shape stays until the new version's doctor migrates it)
    expect(p.actions.map((a) => a.type)).toEqual(/transition plan/.test(p.diagnostics[0]?.message ?? '') ? [] : ['merge-config']);
  });
});

describe('rule: orphans', () => {
  const STRAY = `${AGENTS}/stray`;
  const creds = { 'agent/auth-profiles.json': '{"profiles":{}}', 'agent/models.json': '{}' };
  const rows: Row[] = [
    {
      name: 'unlisted agent dir → quarantine expecting its digest',
      input: () => converged().agentDir('stray', { 'agent/models.json': '{}', 'sessions/s.jsonl': '{}' }),
      actions: [
        {
          type: 'quarantine',
          id: `quarantine:${STRAY}`,
          path: STRAY,
          agentId: 'stray',
          holdsCredentials: false,
          expect: { kind: 'dir', digest: manifestOf({ 'agent/models.json': '{}', 'sessions/s.jsonl': '{}' }).digest },
        },
      ],
      diagnostics: [],
    },
    {
      name: 'orphan holding auth-profiles.json → plan error naming what it holds and the two ways out, no action',
      input: () => converged().agentDir('stray', creds),
      actions: [],
      diagnostics: [
        {
          severity: 'error',
          path: STRAY,
          message: /^agent dir not listed in the inventory is never moved by default: holds agent\/auth-profiles\.json \(OpenClaw's credential file\)\. List "stray" under keepAgents to leave it, or under quarantineAgents to move it to the quarantine anyway$/,
        },
      ],
    },
    {
      name: 'orphan holding auth-profiles.json, named under quarantineAgents → quarantined, CREDENTIALS warning',
      input: () => converged({ node: { quarantineAgents: ['stray'] } }).agentDir('stray', creds),
      actions: [{ type: 'quarantine', path: STRAY, holdsCredentials: true, expect: { kind: 'dir', digest: manifestOf(creds).digest } }],
      diagnostics: [{ severity: 'warning', path: STRAY, message: /^CREDENTIALS quarantined because the inventory names "stray" under quarantineAgents: holds agent\/auth-profiles\.json/ }],
    },
    {
      name: '"main" holding the legacy shared store (no auth-profiles.json) → error explaining the shared store',
      input: () => converged().agentDir('main', { 'agent/openclaw-agent.sqlite': 'SQLite format 3\0', 'sessions/x': '' }).credentials('main', []),
      actions: [],
      diagnostics: [{ severity: 'error', path: `${AGENTS}/main`, message: /never moved by default: agent\/openclaw-agent\.sqlite is OpenClaw's legacy shared credential store that every agent reads through.*quarantineAgents/ }],
    },
    {
      name: 'an agent DB with auth rows → error with the profile count (never the keys)',
      input: () => converged().agentDir('stray', { 'agent/openclaw-agent.sqlite': 'db' }).credentials('stray', [{ file: 'agent/openclaw-agent.sqlite', kind: 'agent-db', profiles: 2 }]),
      actions: [],
      diagnostics: [{ severity: 'error', path: STRAY, message: /holds agent\/openclaw-agent\.sqlite \(2 auth profiles\)/ }],
    },
    {
      name: 'an agent DB that could not be inspected counts as holding credentials',
      input: () => converged().agentDir('stray', { 'agent/openclaw-agent.sqlite': 'db' }).credentials('stray', [{ file: 'agent/openclaw-agent.sqlite', kind: 'agent-db', profiles: null, unreadable: '90 MiB, too large to inspect' }]),
      actions: [],
      diagnostics: [{ severity: 'error', path: STRAY, message: /agent\/openclaw-agent\.sqlite \(could not be inspected: 90 MiB, too large to inspect\)/ }],
    },
    {
      name: 'an agent DB without auth rows is no credential owner → quarantined',
      input: () => converged().agentDir('stray', { 'agent/openclaw-agent.sqlite': 'db' }).credentials('stray', []),
      actions: [{ type: 'quarantine', path: STRAY, holdsCredentials: false }],
      diagnostics: [],
    },
    ...['openclaw', 'crestodian'].map(
      (id): Row => ({
        name: `reserved id "${id}" without credentials → error, never moved by default`,
        input: () => converged().agentDir(id, { 'agent/models.json': '{}' }).credentials(id, []),
        actions: [],
        diagnostics: [{ severity: 'error', path: `${AGENTS}/${id}`, message: new RegExp(`never moved by default: "${id}" is an agent id OpenClaw reserves for its own system agent\\. List "${id}" under keepAgents`) }],
      }),
    ),
    {
      name: 'quarantineAgents naming a kept agent → error',
      input: () => converged({ node: { keepAgents: ['stray'], quarantineAgents: ['stray'] } }).agentDir('stray', creds),
      actions: [],
      diagnostics: [{ severity: 'error', path: STRAY, message: /named under quarantineAgents and also kept/ }],
    },
    {
      name: 'orphan holding a protected file that is not at the protected place → no credentials flag',
      input: () => converged().agentDir('stray', { 'auth-profiles.json': '{}' }),
      actions: [{ type: 'quarantine', path: STRAY, holdsCredentials: false }],
      diagnostics: [],
    },
    {
      name: 'keepAgents → left alone',
      input: () => converged({ node: { keepAgents: ['stray'] } }).agentDir('stray', creds),
      actions: [],
      diagnostics: [],
    },
    {
      name: 'baseline neverTouch → left alone (matched case-insensitively)',
      input: () => converged({ baseline: miniBaseline({ orphans: { neverTouch: ['Main'] } }) }).agentDir('main', creds),
      actions: [],
      diagnostics: [],
    },
    {
      name: 'policy report → warning, no action',
      input: () => converged({ baseline: miniBaseline({ orphans: { policy: 'report' } }) }).agentDir('stray', creds),
      actions: [],
      diagnostics: [{ severity: 'warning', path: STRAY, message: /orphan policy: report/ }],
    },
    ...['a;rm -rf x', '-x', 'x y', '.hidden', 'é', 'a'.repeat(65)].map(
      (name): Row => ({
        name: `orphan named ${JSON.stringify(name.length > 20 ? `${name.slice(0, 5)}…(${name.length})` : name)} (not a valid agent id) → warning, left alone`,
        input: () => converged().agentDir(name, creds),
        actions: [],
        diagnostics: [{ severity: 'warning', path: `${AGENTS}/${name}`, message: /not a valid OpenClaw agent id: left alone/ }],
      }),
    ),
    {
      name: 'orphan that is a file → warning, left alone',
      input: () => converged().agents('alpha', { name: 'notes', kind: 'file' }),
      actions: [],
      diagnostics: [{ severity: 'warning', path: `${AGENTS}/notes`, message: /not listed in the inventory and not a dir \(file\)/ }],
    },
    {
      name: 'orphan that is a symlink → warning, left alone',
      input: () => converged().agents('alpha', { name: 'shared', kind: 'symlink' }),
      actions: [],
      diagnostics: [{ severity: 'warning', path: `${AGENTS}/shared`, message: /not a dir \(symlink\)/ }],
    },
    {
      name: 'orphan dir that could not be listed → error',
      input: () => converged().agents('alpha', 'stray'),
      actions: [],
      diagnostics: [{ severity: 'error', path: STRAY, message: /could not be listed/ }],
    },
    {
      name: 'no agents dir at all → no orphans (and the agent links wait)',
      input: () => {
        const b = converged().missing(AGENTS).missing(`${AGENTS}/alpha`).missing(SESS);
        b.agentDirs = null;
        return b;
      },
      actions: [],
      diagnostics: [{ severity: 'info', path: SESS, message: /agent "alpha" has no dir/ }],
    },
  ];
  it.each(rows)('$name', (row) => {
    check(row);
  });

  it('several orphans: one quarantine each, listed agents never', () => {
    const p = plan(converged({ node: { agents: ['alpha'], quarantineAgents: ['two'] } }).agentDir('one').agentDir('two', creds));
    expect(p.actions.map((a) => a.type === 'quarantine' && a.agentId)).toEqual(['one', 'two']);
    expect(p.actions.some((a) => a.path.startsWith(`${AGENTS}/alpha`))).toBe(false);
  });
});

describe('planNode as a whole', () => {
  function messy(): InputBuilder {
    return bare({ node: { agents: ['alpha', 'beta'], quarantineAgents: ['stray'], overrides: { logging: { level: 'debug' } } } })
      .dir(OC)
      .dir(DATA)
      .dir(AGENTS)
      .agents('alpha', 'beta')
      .dir(`${AGENTS}/alpha`)
      .dir(`${AGENTS}/beta`)
      .dir(MEM, { 'a.sqlite': 'A' })
      .symlink(SESS, '/old')
      .dir(`${AGENTS}/beta/sessions`, { 's.jsonl': '{}' })
      .agentDir('stray', { 'agent/auth-profiles.json': '{}' })
      .configText('// mine\n{ logging: { file: "/var/log/oc.log" } }\n')
      .openclaw('2026.6.1', 'config');
  }

  it('orders actions: dirs, then links, then the config, then quarantines', () => {
    const p = plan(messy());
    const order = ['ensure-dir', 'link', 'merge-config', 'quarantine'];
    const ranks = p.actions.map((a) => order.indexOf(a.type));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(p.actions.map((a) => a.type))).toEqual(new Set(order));
    expect(new Set(p.actions.map((a) => a.path)).size).toBe(p.actions.length);
  });

  it('is pure: the same (deep-frozen) input twice gives deep-equal plans and the input is not mutated', () => {
    for (const b of [messy(), converged(), bare()]) {
      const input = b.build();
      const copy = structuredClone(input);
      deepFreeze(input);
      const first = planNode(input);
      const second = planNode(input);
      expect(second).toEqual(first);
      expect(input).toEqual(copy);
    }
  });

  it('depends on nothing but its input: equal inputs built separately give equal plans', () => {
    expect(plan(messy())).toEqual(plan(messy()));
  });

  it('every diagnostic is attributed to the node', () => {
    const p = planNode(messy().build());
    expect(p.diagnostics.length).toBeGreaterThan(0);
    for (const d of p.diagnostics as Diagnostic[]) expect(d.node).toBe('n1');
  });

  it('the layout follows the node: openclawHome and dataRoot with ~ are resolved against the home', () => {
    const b = new InputBuilder(miniBaseline(), nodeSpec({ openclawHome: '~/oc', dataRoot: '~/data' }));
    const p = planNode(b.build());
    expect(p.paths).toEqual({ home: '/root/oc', dataRoot: '/root/data', attic: '/root/oc/.clawfleet', stateDir: '/root/data/.clawfleet' });
    expect(p.actions.find((a) => a.type === 'link')).toMatchObject({ path: '/root/oc/memory', target: '/root/data/memory' });
  });
});

describe('{dataRoot} in a section value', () => {
  const sections = (dataRoot: string, overrides: NodeSpec['overrides'] = {}) => {
    const baseline = shippedBaseline('openclaw-current');
    const node = nodeSpec({ baseline: 'openclaw-current', dataRoot, overrides });
    return Object.fromEntries(sectionsOf(baseline, node, layoutFor(baseline, node, HOME)).map((s) => [s.path.join('.'), s.value]));
  };

  it("is the node's data root: the shipped baseline's log file and session store follow dataRoot", () => {
    const d = sections(DATA);
    expect(d['logging']).toMatchObject({ file: '/openclaw-data/logs/openclaw.log' });
    expect(d['session']).toEqual({ store: '/openclaw-data/agents/{agentId}/sessions/sessions.json' });
    const s = sections('/srv/oc');
    expect(s['logging']).toMatchObject({ file: '/srv/oc/logs/openclaw.log' });
    expect(s['session']).toEqual({ store: '/srv/oc/agents/{agentId}/sessions/sessions.json' }); // OpenClaw's own token stays
    expect(JSON.stringify(s)).not.toContain('{dataRoot}');
  });

  it("in an inventory override too, and a merge adds the node's path", () => {
    const s = sections('/srv/oc', { logging: { file: '{dataRoot}/logs/gateway.log' } });
    expect(s['logging']).toMatchObject({ file: '/srv/oc/logs/gateway.log', level: 'info' });
    const baseline = shippedBaseline('openclaw-current');
    const node = nodeSpec({ baseline: 'openclaw-current', dataRoot: '/srv/oc' });
    const merged = mergedText('{}\n', sectionsOf(baseline, node, layoutFor(baseline, node, HOME)));
    expect(JSON5.parse(merged.text)).toMatchObject({ logging: { file: '/srv/oc/logs/openclaw.log' }, session: { store: '/srv/oc/agents/{agentId}/sessions/sessions.json' } });
  });
});
