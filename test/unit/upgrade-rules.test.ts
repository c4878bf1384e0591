// The current baseline's split (issue 13 item 2: agentDir, no links) and the transition from the classic
// baseline's links (item 3), as pure planner rules; and the one replacing edit of the config merge.
import { describe, expect, it } from 'vitest';
import type { MergeConfigAction, RelocateAction, UnlinkAction } from '../../src/domain/actions.js';
import { mergeConfigText } from '../../src/json5-editor/merge.js';
import { checkJournal } from '../../src/executor/journal-trust.js';
import { planNode } from '../../src/planner/plan-node.js';
import { CONFIG, converged, DATA, OC, shippedBaseline } from '../helpers/plan-builders.js';

const AG = `${OC}/agents`;
const CLASSIC_LINKS = ['memory', 'media', 'logs', 'browser'].map((p) => [`${OC}/${p}`, `${DATA}/${p}`] as const);
const AGENT_LINKS = ['sessions', 'memory'].map((p) => [`${AG}/alpha/${p}`, `${DATA}/agents/alpha/${p}`] as const);

const CURRENT = (agentDir?: string) => `{
  meta: { lastTouchedVersion: "2026.9.6" },
  agents: { entries: { alpha: { name: "alpha"${agentDir ? `, agentDir: "${agentDir}"` : ''} } } },
  memory: { search: { enabled: true } },
  session: { store: "/openclaw-data/agents/{agentId}/sessions/sessions.json" },
  tools: { media: { concurrency: 2, image: { enabled: true }, audio: { enabled: true }, video: { enabled: false } } },
  logging: { level: "info", file: "/openclaw-data/logs/openclaw.log", maxFileBytes: 104857600, consoleLevel: "warn", consoleStyle: "pretty" },
  browser: { enabled: true, headless: true, noSandbox: true, defaultProfile: "openclaw" },
}
`;

/** A node the classic baseline converged (its links in place), planned against openclaw-current. */
function linkedNode(version: string, config = CURRENT()) {
  const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config }).openclaw(version);
  for (const [p, t] of [...CLASSIC_LINKS, ...AGENT_LINKS]) b.symlink(p, t).dir(t);
  return b;
}

describe('transition: a classic node planned against openclaw-current', () => {
  it('on 2026.5.28: every link of the classic baseline is unlinked, nothing else (no config, no agent dir move)', () => {
    const p = planNode(linkedNode('2026.5.28').dir(`${AG}/alpha/agent`, { 'auth-profiles.json': '{}' }).build());
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(p.diagnostics.map((d) => d.message).join('\n')).toMatch(/transition plan before the upgrade/);
    const unlinks = p.actions.filter((a): a is UnlinkAction => a.type === 'unlink');
    expect(unlinks.map((a) => [a.path, a.target])).toEqual([...CLASSIC_LINKS, ...AGENT_LINKS]);
    expect(unlinks.every((a) => a.expect.kind === 'symlink')).toBe(true);
    expect(p.actions.filter((a) => a.type !== 'unlink' && a.type !== 'ensure-dir')).toEqual([]);
  });

  it('a link pointing somewhere clawfleet did not put it is left, with a warning', () => {
    const p = planNode(linkedNode('2026.5.28').symlink(`${OC}/media`, '/srv/media').build());
    expect(p.actions.some((a) => a.path === `${OC}/media`)).toBe(false);
    expect(p.diagnostics.find((d) => d.path === `${OC}/media`)?.message).toMatch(/symlink to \/srv\/media, not one clawfleet made: left as it is/);
  });

  it('a link whose target is gone is an error naming it', () => {
    const p = planNode(linkedNode('2026.5.28').missing(`${DATA}/logs`).build());
    expect(p.diagnostics.find((d) => d.path === `${OC}/logs`)).toMatchObject({ severity: 'error', message: expect.stringMatching(/which is nothing: cannot turn it back/) });
  });
});

describe('openclaw-current on 2026.9.6: agent dirs under the data root by agentDir', () => {
  const agentTree = { 'openclaw-agent.sqlite': 'DB', 'openclaw-agent.sqlite-wal': 'WAL', 'models.json': '{}' };

  it('moves the agent dir whole and adds agents.entries.<id>.agentDir; a loud warning says to stop the gateway', () => {
    const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT() }).openclaw('2026.9.6');
    const p = planNode(b.dir(`${AG}/alpha/agent`, agentTree).dir(`${DATA}/agents/alpha/agent`, {}).build());
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const r = p.actions.find((a): a is RelocateAction => a.type === 'relocate')!;
    expect(r).toMatchObject({ path: `${AG}/alpha/agent`, target: `${DATA}/agents/alpha/agent`, agentId: 'alpha', expect: { kind: 'dir' } });
    expect([...r.copy].sort()).toEqual(Object.keys(agentTree).sort());
    const c = p.actions.find((a): a is MergeConfigAction => a.type === 'merge-config')!;
    expect(c.added).toEqual(['agents.entries.alpha.agentDir']);
    expect(p.actions.findIndex((a) => a.type === 'relocate')).toBeLessThan(p.actions.findIndex((a) => a.type === 'merge-config'));
    expect(p.diagnostics.find((d) => /stop the gateway/.test(d.message))?.severity).toBe('warning');
    expect(p.actions.some((a) => a.type === 'link' || a.type === 'unlink')).toBe(false);
  });

  it("makes the dir of logging.file (baseline dataDirs: logs), the gateway's own when it runs as its own user", () => {
    const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT(`${DATA}/agents/alpha/agent`) }).openclaw('2026.9.6');
    expect(b.layout.dataDirs).toContain(`${DATA}/logs`);
    const gw = { name: 'openclaw', uid: 995, gid: 995, groups: [995], source: 'inventory' as const };
    const p = planNode(b.missing(`${DATA}/logs`).dir(`${DATA}/agents/alpha/agent`, {}).gateway(gw).build());
    expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(p.actions.filter((a) => a.type === 'ensure-dir')).toEqual([expect.objectContaining({ path: `${DATA}/logs`, owner: { uid: 995, gid: 995 } })]);
  });

  it('replaces the default agentDir OpenClaw wrote itself (agents add), and only that value', () => {
    const def = `${AG}/alpha/agent`;
    const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT(def) }).openclaw('2026.9.6');
    const p = planNode(b.dir(def, agentTree).dir(`${DATA}/agents/alpha/agent`, {}).build());
    const c = p.actions.find((a): a is MergeConfigAction => a.type === 'merge-config')!;
    expect(c.added).toEqual(['agents.entries.alpha.agentDir']);
    const other = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT('/srv/alpha') }).openclaw('2026.9.6');
    const q = planNode(other.dir(def, agentTree).build());
    expect(q.diagnostics.find((d) => d.severity === 'error')?.message).toMatch(/agents\.entries\.alpha\.agentDir is set to "\/srv\/alpha", not \/openclaw-data\/agents\/alpha\/agent/);
  });

  it('converged: agentDir set, the dir moved: nothing to do', () => {
    const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT(`${DATA}/agents/alpha/agent`) }).openclaw('2026.9.6');
    const p = planNode(b.missing(`${AG}/alpha/agent`).dir(`${DATA}/agents/alpha/agent`, agentTree).build());
    expect(p.actions).toEqual([]);
    expect(p.diagnostics).toEqual([]);
  });

  it('a name clash in the target is an error, nothing moved', () => {
    const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT() }).openclaw('2026.9.6');
    const p = planNode(b.dir(`${AG}/alpha/agent`, agentTree).dir(`${DATA}/agents/alpha/agent`, { 'models.json': '{"other":1}' }).build());
    expect(p.diagnostics.find((d) => d.severity === 'error')?.message).toMatch(/name clash: "models\.json"/);
  });
});

describe('config merge: the one replacing edit', () => {
  const text = '{\n  // mine\n  agents: { entries: { a: { agentDir: "~/.openclaw/agents/a/agent", name: "a" } } },\n}\n';
  it('replaces a listed default value in place, every other byte kept', () => {
    const r = mergeConfigText(text, [{ path: ['agents', 'entries', 'a'], value: { agentDir: '/openclaw-data/agents/a/agent' }, replace: { key: 'agentDir', from: ['~/.openclaw/agents/a/agent'] } }]);
    expect(r.text).toBe(text.replace('"~/.openclaw/agents/a/agent"', '"/openclaw-data/agents/a/agent"'));
    expect(r.added).toEqual(['agents.entries.a.agentDir']);
  });
  it('keeps any other value', () => {
    const r = mergeConfigText(text, [{ path: ['agents', 'entries', 'a'], value: { agentDir: '/x' }, replace: { key: 'agentDir', from: ['/elsewhere'] } }]);
    expect(r.text).toBe(text);
    expect(r.added).toEqual([]);
  });
});

describe('journal trust: the new undo kinds name only planned paths', () => {
  const planned = {
    home: OC,
    dataRoot: DATA,
    stateDir: `${DATA}/.clawfleet`,
    attic: `${OC}/.clawfleet`,
    configPath: CONFIG,
    agentsDir: AG,
    dataDirs: [],
    links: [],
    retired: [{ path: `${OC}/media`, target: `${DATA}/media` }],
    relocations: [{ path: `${AG}/alpha/agent`, target: `${DATA}/agents/alpha/agent` }],
  };
  const begin = (undo: Record<string, unknown>) => ({ t: 'begin' as const, seq: 1, action: {} as never, undo: undo as never, at: 'x' });
  it('accepts the planned ones, refuses a forged path', () => {
    const ok = { kind: 'unlink', path: `${OC}/media`, target: `${DATA}/media`, backup: `${OC}/.clawfleet/r1/moved/1-media`, tmpPrefix: '.clawfleet-r1-' };
    expect(checkJournal([begin(ok)], 'r1', planned)).toEqual({ ok: true });
    expect(checkJournal([begin({ ...ok, path: '/etc/cron.d' })], 'r1', planned)).toMatchObject({ ok: false, path: '/etc/cron.d' });
    const rel = { kind: 'relocate', path: `${AG}/alpha/agent`, target: '/etc', backup: `${OC}/.clawfleet/r1/moved/1-agent`, copied: [], same: [], tmpPrefix: '.clawfleet-r1-' };
    expect(checkJournal([begin(rel)], 'r1', planned)).toMatchObject({ ok: false, reason: expect.stringMatching(/target \/etc is not the planned/) });
  });
});

describe('credential sentinel follows the relocated agent dirs', () => {
  it('reads the default agent dir and the one the baseline moved it to', async () => {
    const { agentStoreDirs } = await import('../../src/sentinel/source.js');
    const ctx = { node: 'n', openclawHome: OC, agentsDir: AG, agents: ['alpha', 'beta'], agentFiles: {}, agentDirs: { alpha: `${DATA}/agents/alpha/agent` }, fingerprint: (m: string) => m };
    expect(agentStoreDirs(ctx)).toEqual([
      { agent: 'alpha', dir: `${AG}/alpha/agent` },
      { agent: 'alpha', dir: `${DATA}/agents/alpha/agent` },
      { agent: 'beta', dir: `${AG}/beta/agent` },
    ]);
  });
});

describe('check judges the current placement from the facts', () => {
  it('a classic-linked node drifts (links, agentDir); a relocated one matches', async () => {
    const { judgeNode } = await import('../../src/check/judge-node.js');
    const { baselineItems } = await import('../../src/check/items.js');
    const items = baselineItems(shippedBaseline('openclaw-current'));
    expect(items).toEqual(['memory', 'sessions', 'media', 'logs', 'browser', 'agent-memory', 'orphans']);
    const linked = linkedNode('2026.9.6').dir(`${AG}/alpha/agent`, { 'models.json': '{}' }).build();
    const a = judgeNode(linked, planNode(linked), items).cells;
    expect(a.sessions).toMatchObject({ state: 'drift', what: ['link', 'config', 'agent-dir'] });
    expect(a.media).toMatchObject({ state: 'drift', what: ['link'] });
    const b = converged({ baseline: shippedBaseline('openclaw-current'), node: { baseline: 'openclaw-current' }, config: CURRENT(`${DATA}/agents/alpha/agent`) }).openclaw('2026.9.6');
    const done = b.missing(`${AG}/alpha/agent`).dir(`${DATA}/agents/alpha/agent`, { 'models.json': '{}' }).build();
    const c = judgeNode(done, planNode(done), items).cells;
    expect(
      Object.values(c).every((x) => x.state === 'ok'),
      JSON.stringify(c),
    ).toBe(true);
  });
});
