import { describe, expect, it } from 'vitest';
import { buildCheck } from '../../src/check/build.js';
import { credentialsCell, credentialStore, missingCredentials } from '../../src/check/judge-credentials.js';
import { rowDrifts, type CheckResult } from '../../src/domain/check.js';
import { renderCheckText } from '../../src/render/drift-matrix.js';
import { renderPrometheus } from '../../src/render/prometheus.js';
import { credentialPresence, type Scan } from '../../src/sentinel/diff.js';
import { SHARED_STORE } from '../../src/sentinel/source.js';
import { bare, OC, shippedBaseline } from '../helpers/plan-builders.js';
import { planNode } from '../../src/planner/plan-node.js';

const plain = { bold: (t: string) => t, dim: (t: string) => t, red: (t: string) => t, green: (t: string) => t, yellow: (t: string) => t, cyan: (t: string) => t };
const scan = (records: [string, string][], extra: Partial<Scan> = {}): Scan => ({
  records: records.map(([agent, profile]) => ({ agent, profile, fp: 'f'.repeat(64), file: `${OC}/agents/${agent}/agent/auth-profiles.json` })),
  files: [],
  notes: [],
  unread: [],
  sources: ['auth-profiles.json'],
  ...extra,
});

describe('check: agents without credentials', () => {
  const input = bare({ node: { agents: ['main', 'coder', 'writer'] } }).build();

  it('lists the listed agents with no profile, with their store path, when no store every agent reads through has one', () => {
    const found = credentialPresence(scan([['coder', 'anthropic:default']]));
    expect(missingCredentials(input.node.agents, found, input.facts, input.layout)).toEqual([
      { agent: 'main', store: `${OC}/agents/main/agent` },
      { agent: 'writer', store: `${OC}/agents/writer/agent` },
    ]);
  });

  it("a profile in agents/main's store or in the shared store serves every agent: none is without", () => {
    for (const holder of ['main', SHARED_STORE]) {
      const found = credentialPresence(scan([[holder, 'anthropic:default']]));
      expect(found.agents).toEqual(holder === 'main' ? ['main'] : []);
      expect(missingCredentials(input.node.agents, found, input.facts, input.layout), holder).toEqual([]);
    }
  });

  it('an agent whose store could not be read is unknown, not missing (named by a source or by a note on its path)', () => {
    const found = credentialPresence(scan([['ops', 'a:b']], { unread: ['coder'], notes: [`${OC}/agents/writer/agent/openclaw-agent.sqlite: not a readable SQLite DB`] }));
    expect(missingCredentials(input.node.agents, found, input.facts, input.layout)).toEqual([{ agent: 'main', store: `${OC}/agents/main/agent` }]);
  });

  it('the store is where the baseline moved the agent dir once it is there (openclaw-current)', () => {
    const moved = bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', agents: ['coder'] } })
      .dir('/openclaw-data/agents/coder/agent')
      .build();
    expect(credentialStore('coder', moved.facts, moved.layout)).toBe('/openclaw-data/agents/coder/agent');
    const notYet = bare({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current', agents: ['coder'] } })
      .dir(`${OC}/agents/coder/agent`)
      .build();
    expect(credentialStore('coder', notYet.facts, notYet.layout)).toBe(`${OC}/agents/coder/agent`);
  });

  it('a note by default: the row does not drift, the text says which agents and where, prometheus counts them', () => {
    const base = buildCheck([{ node: 'node03', plan: planNode(input), input }], '2026-12-02T05:00:00Z');
    const missing = [{ agent: 'writer', store: `${OC}/agents/writer/agent` }];
    const r: CheckResult = { ...base, rows: base.rows.map((row) => ({ ...row, missingCredentials: missing })) };
    expect(rowDrifts(r.rows[0]!)).toBe(rowDrifts(base.rows[0]!));
    const text = renderCheckText(r, plain);
    expect(text).toContain(`! node03: agents without credentials: writer (${OC}/agents/writer/agent): add them with OpenClaw (\`openclaw models auth\`); a note, not drift`);
    expect(renderPrometheus(r)).toContain('clawfleet_agents_without_credentials{node="node03"} 1');
  });

  it('--require-credentials: a credentials cell, drift when an agent has none, ok when all have, unknown when not scanned', () => {
    expect(credentialsCell([{ agent: 'writer', store: '/s' }])).toEqual({ state: 'drift', what: ['credentials'], detail: ['no credentials: writer (/s)'] });
    expect(credentialsCell([])).toEqual({ state: 'ok' });
    expect(credentialsCell(undefined).state).toBe('unknown');
  });
});
