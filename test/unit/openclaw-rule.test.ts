// rule-openclaw: what the node's real OpenClaw makes of a plan (pure planner rule), and the built-in
// protection of auth-profiles.json.
import { describe, expect, it } from 'vitest';
import type { Action, LinkAction, QuarantineAction } from '../../src/domain/actions.js';
import type { NodePlan } from '../../src/domain/plan.js';
import { refuseProtected } from '../../src/executor/precheck.js';
import type { RunContext } from '../../src/executor/context.js';
import { planNode } from '../../src/planner/plan-node.js';
import { configuredAgents, credentialsMovedToSqlite, planOpenclaw } from '../../src/planner/rule-openclaw.js';
import {
  bare,
  CLASSIC_CONFIG_FULL,
  CONFIG,
  converged,
  DATA,
  deepFreeze,
  IN_RANGE,
  miniBaseline,
  OC,
  OPENCLAW_BIN,
  shippedBaseline,
  type InputBuilder,
} from '../helpers/plan-builders.js';

const AGENTS = `${OC}/agents`;
const SESS = `${AGENTS}/alpha/sessions`;
const MEM = `${OC}/memory`;

const CURRENT_CONFIG_FULL = `{
  meta: { lastTouchedVersion: "2026.9.6" },
  agents: { entries: { alpha: { name: "alpha" } } },
  memory: { search: { enabled: true } },
  session: { store: "/openclaw-data/agents/{agentId}/sessions/sessions.json" },
  tools: { media: { concurrency: 2, image: { enabled: true }, audio: { enabled: true }, video: { enabled: false } } },
  logging: { level: "info", file: "/openclaw-data/logs/openclaw.log", maxFileBytes: 104857600, consoleLevel: "warn", consoleStyle: "pretty" },
  browser: { enabled: true, headless: true, noSandbox: true, defaultProfile: "openclaw" },
}
`;

/**
 * A node converged on a current-shape baseline that still makes the classic links (what openclaw-current was
 * before it placed the data by agentDir), running OpenClaw `version` (binary): the rule warns about links on 2026.8.1+.
 */
function current(version = '2026.9.6'): InputBuilder {
  const shipped = shippedBaseline('openclaw-current');
  const baseline = { ...shipped, links: shippedBaseline('openclaw-classic').links, retiredLinks: { global: [], agent: [] } };
  delete (baseline as { agentDir?: unknown }).agentDir;
  return converged({ baseline, node: { baseline: baseline.name }, config: CURRENT_CONFIG_FULL }).openclaw(version);
}

function classic(version = IN_RANGE): InputBuilder {
  const baseline = shippedBaseline('openclaw-classic');
  return converged({ baseline, node: { baseline: baseline.name }, config: CLASSIC_CONFIG_FULL }).openclaw(version);
}

const plan = (b: InputBuilder): NodePlan => planNode(b.build());
const diags = (p: NodePlan) => p.diagnostics.map((d) => ({ severity: d.severity, path: d.path, message: d.message }));

describe('rule: openclaw — converged nodes say nothing', () => {
  it.each([
    ['current baseline on 2026.9.6', () => current()],
    ['classic baseline on 2026.5.28', () => classic()],
    ['mini baseline, no openclaw program, nothing to write', () => converged().openclaw(IN_RANGE, 'config')],
  ])('%s', (_n, b) => {
    const p = plan(b());
    expect(p.actions).toEqual([]);
    expect(p.diagnostics).toEqual([]);
  });
});

describe('rule: openclaw — symlinked state dirs on versions whose doctor --fix refuses them', () => {
  it('2026.9.6 with links to make → one warning naming the version, the cut-off and the slots', () => {
    const p = plan(current().missing(SESS).missing(MEM));
    expect(p.actions.map((a) => a.type)).toEqual(['link', 'link']);
    expect(diags(p)).toEqual([
      {
        severity: 'warning',
        path: OC,
        message: expect.stringMatching(/^OpenClaw 2026\.9\.6 \(2026\.8\.1 or later\): `openclaw doctor --fix`, which upgrades run, refuses state dirs reached through symlinks .*this plan makes 2 of them links \(memory, agents\/\*\/sessions\)$/),
      },
    ]);
  });

  it.each([
    ['2026.8.1', true],
    ['2026.10.2', true],
    ['2026.7.999', false],
    ['2026.5.28', false],
  ])('version %s → warning: %s', (version, warns) => {
    // The version rule's own range check is not what is tested here: call the rule directly.
    const input = current(version).missing(SESS).build();
    const links = planNode(input).actions.filter((a) => a.type === 'link');
    const out = planOpenclaw(input, links);
    expect(out.actions).toEqual([]);
    expect(out.diagnostics.some((d) => d.severity === 'warning' && d.message.includes(`OpenClaw ${version} (2026.8.1 or later)`))).toBe(warns);
  });

  it('the version recorded in the config counts too (no binary)', () => {
    const p = plan(current().openclaw('2026.9.6', 'config').missing(MEM));
    expect(p.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^OpenClaw 2026\.9\.6 \(2026\.8\.1 or later\)/)]);
  });

  it('a legacy sessions.json behind a dir about to be linked → a loud warning on that dir', () => {
    const tree = { 'sessions.json': '{"agent:alpha:main":{}}', 'abc.jsonl': '{}' };
    const p = plan(current().dir(SESS, tree).dir(`${DATA}/agents/alpha/sessions`, {}));
    expect(p.actions).toMatchObject([{ type: 'link', path: SESS, copy: ['abc.jsonl', 'sessions.json'] }]);
    expect(diags(p)).toEqual([
      expect.objectContaining({ severity: 'warning', path: OC }),
      {
        severity: 'warning',
        path: SESS,
        message: expect.stringMatching(/legacy sessions\.json not yet imported into OpenClaw 2026\.9\.6's SQLite session store.*run `openclaw doctor --fix` on the node before apply/),
      },
    ]);
  });

  it('no legacy sessions.json (already imported) → only the version warning', () => {
    const p = plan(current().dir(SESS, { 'abc.jsonl.imported-1795611169417': '{}' }).dir(`${DATA}/agents/alpha/sessions`, {}));
    expect(p.diagnostics).toHaveLength(1);
  });

  it('classic nodes get no such warning for the same links', () => {
    const p = plan(classic().missing(SESS).dir(`${AGENTS}/alpha/memory`, { 'notes.md': 'x' }).dir(`${DATA}/agents/alpha/memory`, {}));
    expect(p.actions.map((a) => a.type)).toEqual(['link', 'link']);
    expect(p.diagnostics).toEqual([]);
  });
});

describe('rule: openclaw — validation of the merged config', () => {
  it('bootstrap: no openclaw program and a config to write → a note that it cannot be validated there', () => {
    const p = plan(bare());
    expect(p.actions.some((a) => a.type === 'merge-config')).toBe(true);
    expect(diags(p)).toContainEqual({
      severity: 'info',
      path: CONFIG,
      message: "no openclaw program on this node: the merged config cannot be checked with OpenClaw's own validator (`openclaw config validate`) before it is written",
    });
  });

  it('a program whose --version answered nothing usable still validates: no note', () => {
    const p = plan(converged().configFact({ kind: 'missing' }).openclaw(IN_RANGE, 'config').program({ path: OPENCLAW_BIN, version: null }));
    expect(p.actions.map((a) => a.type)).toEqual(['merge-config']);
    expect(p.diagnostics).toEqual([]);
  });

  it('with the program there is nothing to say', () => {
    const p = plan(converged().configFact({ kind: 'missing' }));
    expect(p.diagnostics).toEqual([]);
  });
});

describe('rule: openclaw — credentials that moved into SQLite', () => {
  it.each([
    [['openclaw-agent.sqlite', 'models.json'], true],
    [['auth-profiles.json.migrated-20260605T101010Z'], true],
    [['auth-profiles.json.sqlite-import.1795611169.bak', 'openclaw-agent.sqlite-wal'], true],
    [['auth-profiles.json', 'openclaw-agent.sqlite'], false],
    [['auth-profiles.json'], false],
    [['models.json'], false],
    [[], false],
    [null, false],
  ])('%j → moved: %s', (names, moved) => {
    expect(credentialsMovedToSqlite(names)).toBe(moved);
  });

  it('one note per node naming the agents; nothing planned for them', () => {
    const b = converged({ node: { agents: ['alpha', 'beta', 'gamma'] } })
      .agentStore('alpha', ['openclaw-agent.sqlite'])
      .agentStore('beta', ['auth-profiles.json.migrated-1'])
      .agentStore('gamma', ['auth-profiles.json']);
    for (const a of ['beta', 'gamma']) b.dir(`${AGENTS}/${a}`).symlink(`${AGENTS}/${a}/sessions`, `${DATA}/agents/${a}/sessions`);
    const p = plan(b);
    expect(p.actions).toEqual([]);
    expect(diags(p)).toEqual([
      {
        severity: 'info',
        path: AGENTS,
        message: expect.stringMatching(/^agents alpha, beta: no auth-profiles\.json, the credentials are in OpenClaw's SQLite store .*since 2026\.6\.5.*clawfleet never creates auth-profiles\.json$/),
      },
    ]);
  });
});

describe('rule: openclaw — orphans that openclaw.json still configures', () => {
  const withConfig = (text: string) => converged().configText(text).agentDir('stray', { 'sessions/s.jsonl': '{}' });
  it.each([
    ['classic agents.list', `{ agents: { list: [{ id: "alpha" }, { id: "Stray" }] }, logging: { level: "info", file: "/openclaw-data/logs/openclaw.log" }, tools: { media: { concurrency: 2, image: { enabled: true } } } }`],
    ['current agents.entries', `{ agents: { entries: { alpha: {}, stray: {} } }, logging: { level: "info", file: "/openclaw-data/logs/openclaw.log" }, tools: { media: { concurrency: 2, image: { enabled: true } } } }`],
  ])('%s → warning on the quarantine', (_n, text) => {
    const p = plan(withConfig(text));
    expect(p.actions).toMatchObject([{ type: 'quarantine', agentId: 'stray' }]);
    expect(diags(p)).toEqual([
      {
        severity: 'warning',
        path: `${AGENTS}/stray`,
        message: 'agent "stray" is configured in openclaw.json but not in the inventory: quarantine takes its dir away from a configured OpenClaw agent; list it under agents or keepAgents to keep it',
      },
    ]);
  });

  it('not configured → only the quarantine', () => {
    const p = plan(converged().agentDir('stray'));
    expect(p.actions).toMatchObject([{ type: 'quarantine' }]);
    expect(p.diagnostics).toEqual([]);
  });

  it('configuredAgents reads both shapes and survives junk', () => {
    expect(configuredAgents('{ agents: { list: [{ id: "Main" }, { id: 3 }, null, "x"] } }')).toEqual(new Set(['main']));
    expect(configuredAgents('{ agents: { entries: { main: {}, coder: {} }, list: [] } }')).toEqual(new Set(['main', 'coder']));
    expect(configuredAgents('{ agents: { entries: [1] } }')).toEqual(new Set());
    expect(configuredAgents('{ nope')).toEqual(new Set());
    expect(configuredAgents('null')).toEqual(new Set());
    expect(configuredAgents(null)).toEqual(new Set());
  });
});

describe('auth-profiles.json: nothing clawfleet plans or runs can (re)create it', () => {
  it('an orphan holding only a renamed auth-profiles.json.migrated-* is a credential owner: not moved by default', () => {
    const tree = { 'agent/auth-profiles.json.migrated-1': '{"profiles":{}}' };
    const p = plan(converged().agentDir('stray', tree));
    expect(p.actions).toEqual([]);
    expect(p.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^agent dir not listed in the inventory is never moved by default: holds agent\/auth-profiles\.json\.migrated-1/)]);
    const decided = plan(converged({ node: { quarantineAgents: ['stray'] } }).agentDir('stray', tree));
    expect(decided.actions).toMatchObject([{ type: 'quarantine', holdsCredentials: true } satisfies Partial<QuarantineAction>]);
    expect(decided.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^CREDENTIALS quarantined because the inventory names "stray" under quarantineAgents: holds agent\/auth-profiles\.json\.migrated-1/)]);
  });

  it('even a baseline with no protected list cannot link over it (built-in protection)', () => {
    const baseline = miniBaseline({
      protected: [],
      links: { global: [], agent: [{ path: 'agent/auth-profiles.json', target: 'auth.json' }] },
    });
    const p = plan(converged({ baseline }).missing(`${AGENTS}/alpha/agent/auth-profiles.json`));
    expect(p.actions.filter((a) => a.path.endsWith('auth-profiles.json'))).toEqual([]);
    expect(p.diagnostics).toMatchObject([{ severity: 'error', path: `${AGENTS}/alpha/agent/auth-profiles.json`, message: expect.stringMatching(/protected path/) }]);
  });

  it('the executor refuses any action on it, whatever the plan says it protects', () => {
    const ctx = { node: 'n1', layout: { home: OC, dataRoot: DATA, attic: `${OC}/.clawfleet`, stateDir: `${DATA}/.clawfleet` }, protectedGlobs: [] } as unknown as RunContext;
    for (const p of [`${AGENTS}/main/agent/auth-profiles.json`, `${AGENTS}/x/agent/auth-profiles.json.migrated-1`]) {
      expect(() => refuseProtected(ctx, p)).toThrow(/protected file/);
    }
    expect(() => refuseProtected(ctx, `${AGENTS}/x/agent/models.json`)).not.toThrow();
  });

  it('no action of any shipped-baseline plan touches a credential file', () => {
    const inputs = [bare(), current().missing(SESS).agentStore('alpha', ['openclaw-agent.sqlite']), classic().missing(SESS).configFact({ kind: 'missing' })];
    for (const b of inputs) {
      const p = plan(b);
      const bad = p.actions.filter((a: Action) => /auth-profiles\.json|openclaw-agent\.sqlite/.test(a.path) || (a as LinkAction).target?.includes('auth-profiles'));
      expect(bad).toEqual([]);
    }
  });
});

describe('rule: openclaw — purity', () => {
  it('reads only its input (deep-frozen), twice the same', () => {
    const input = deepFreeze(current().missing(SESS).dir(MEM, { 'a.sqlite': 'A' }).agentStore('alpha', ['openclaw-agent.sqlite']).build());
    const prior = deepFreeze(planNode(input).actions);
    expect(planOpenclaw(input, prior)).toEqual(planOpenclaw(input, prior));
  });
});
