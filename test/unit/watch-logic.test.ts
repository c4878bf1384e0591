// Issue 14: the pure parts of watch: change events, credential diff, waivers, payloads, OpenClaw findings.
import { describe, expect, it } from 'vitest';
import { doctorCell, secretsCell, checksApply } from '../../src/check/openclaw-findings.js';
import { applyWaivers, expiryOf } from '../../src/check/waivers.js';
import type { CheckResult, CheckRow } from '../../src/domain/check.js';
import { diffCredentials, type Scan } from '../../src/sentinel/diff.js';
import { fingerprinter } from '../../src/sentinel/fingerprint.js';
import { diffRun } from '../../src/watch/events.js';
import { discordPayload, genericPayload, slackPayload } from '../../src/watch/notify/payloads.js';
import { emptyState } from '../../src/watch/state-types.js';

const T0 = '2026-12-01T10:00:00.000Z';
const T1 = '2026-12-01T11:00:00.000Z';

function result(at: string, rows: CheckRow[]): CheckResult {
  return { format: 'clawfleet-check', version: 2, checkedAt: at, items: ['memory', 'logs'], rows, drift: false, errors: false, credentialEvents: [] };
}
const row = (node: string, cells: CheckRow['cells'], error?: string): CheckRow => (error ? { node, cells, notes: [], error } : { node, cells, notes: [] });

describe('change events', () => {
  it('first run: drift and ? are news, ✓ is not; a repeat is silent; resolution is one event', () => {
    const s0 = emptyState('/inv.yaml');
    const r0 = result(T0, [row('a', { memory: { state: 'ok' }, logs: { state: 'drift', what: ['config'] } }), row('b', { memory: { state: 'unknown', why: 'x' }, logs: { state: 'ok' } })]);
    const d0 = diffRun(s0, r0, []);
    expect(d0.events.map((e) => `${e.kind} ${e.node} ${e.item}`)).toEqual(['drift a logs', 'unknown b memory']);
    const s1 = { ...s0, nodes: d0.nodes };
    expect(diffRun(s1, { ...r0, checkedAt: T1 }, []).events).toEqual([]);
    const r2 = result(T1, [row('a', { memory: { state: 'ok' }, logs: { state: 'ok' } }), row('b', { memory: { state: 'unknown', why: 'x' }, logs: { state: 'drift', what: ['link'] } })]);
    const d2 = diffRun(s1, r2, []);
    expect(d2.events.map((e) => `${e.kind} ${e.node} ${e.item}`)).toEqual(['resolved a logs', 'drift b logs']);
    expect(d2.events[0]!.since).toBe(T0);
  });

  it('what drifts changing is news; waived drift is quiet and loud again when the waiver ends', () => {
    let s = emptyState('/inv.yaml');
    const step = (r: CheckResult) => {
      const d = diffRun(s, r, []);
      s = { ...s, nodes: d.nodes };
      return d.events.map((e) => `${e.kind} ${e.item} ${e.message}`);
    };
    step(result(T0, [row('a', { memory: { state: 'drift', what: ['config'] }, logs: { state: 'ok' } })]));
    expect(step(result(T1, [row('a', { memory: { state: 'drift', what: ['config', 'link'] }, logs: { state: 'ok' } })]))).toEqual(['drift memory a memory drifts: config+link (was config)']);
    expect(step(result(T1, [row('a', { memory: { state: 'drift', what: ['config', 'link'] }, logs: { state: 'waived', what: ['dir'], reason: 'r', expires: '2027-01-01' } })]))).toEqual([]);
    expect(step(result(T1, [row('a', { memory: { state: 'drift', what: ['config', 'link'] }, logs: { state: 'drift', what: ['dir'] } })]))).toEqual(['drift logs a logs drifts: dir (its waiver ended)']);
  });

  it('a node that stops answering is one event, keeps what it looked like, and its return is one event', () => {
    let s = emptyState('/inv.yaml');
    const step = (r: CheckResult) => {
      const d = diffRun(s, r, []);
      s = { ...s, nodes: d.nodes };
      return d.events.map((e) => `${e.kind} ${e.node}${e.item ? ' ' + e.item : ''}`);
    };
    step(result(T0, [row('a', { memory: { state: 'drift', what: ['link'] }, logs: { state: 'ok' } })]));
    expect(step(result(T1, [row('a', { memory: { state: 'unknown', why: 'refused' }, logs: { state: 'unknown', why: 'refused' } }, 'connection refused')]))).toEqual(['unreachable a']);
    expect(step(result(T1, [row('a', { memory: { state: 'unknown', why: 'refused' }, logs: { state: 'unknown', why: 'refused' } }, 'connection refused')]))).toEqual([]);
    expect(step(result(T1, [row('a', { memory: { state: 'drift', what: ['link'] }, logs: { state: 'ok' } })]))).toEqual(['reachable a']);
  });
});

describe('credential diff', () => {
  const fp = fingerprinter(Buffer.from('k'.repeat(64)));
  const scan = (keys: Record<string, string>, extra: Partial<Scan> = {}): Scan => ({
    records: Object.entries(keys).map(([agent, key]) => ({ agent, profile: 'anthropic:default', fp: fp(key), file: `/r/.openclaw/agents/${agent}/agent/auth-profiles.json` })),
    files: Object.keys(keys).map((agent) => ({ agent, path: `/r/.openclaw/agents/${agent}/agent/auth-profiles.json`, mode: 0o600 })),
    notes: [],
    sources: ['auth-profiles.json'],
    ...extra,
  });

  it('the first scan only records; one new key in many agents is one shared-key event; no key material anywhere', () => {
    const agents = ['a1', 'a2', 'a3', 'a4'];
    const first = diffCredentials('t440', undefined, scan(Object.fromEntries(agents.map((a) => [a, `sk-ant-old-${a}`]))), T0, new Map());
    expect(first.events).toEqual([]);
    const next = diffCredentials('t440', first.next, scan({ a1: 'sk-ant-NEWKEY', a2: 'sk-ant-NEWKEY', a3: 'sk-ant-NEWKEY', a4: 'sk-ant-old-a4', a5: 'sk-ant-other' }), T1, new Map());
    expect(next.events.map((e) => `${e.kind} ${e.agents.join(',')}`)).toEqual(['shared-key a1,a2,a3', 'added a5']);
    expect(next.events[0]!.message).toMatch(/in 3 agents \(now in 3\): a1, a2, a3/);
    const all = JSON.stringify(next);
    expect(all).not.toContain('NEWKEY');
    expect(all).not.toContain('sk-ant');
    // removed, and a file that could not be parsed keeps its profiles (unread is not removed)
    const third = diffCredentials('t440', next.next, scan({ a1: 'sk-ant-NEWKEY', a2: 'sk-ant-NEWKEY' }, { notes: ['/r/.openclaw/agents/a3/agent/auth-profiles.json could not be parsed'] }), T1, new Map());
    expect(third.events.map((e) => `${e.kind} ${e.agents.join(',')}`).sort()).toEqual(['removed a4', 'removed a5']);
    expect(Object.keys(third.next.profiles)).toContain('a3/anthropic:default');
  });

  it('a credential file that others can read is reported once, also on the first scan', () => {
    const s = scan({ a1: 'k1' });
    s.files[0]!.mode = 0o644;
    const first = diffCredentials('n', undefined, s, T0, new Map());
    expect(first.events.map((e) => `${e.kind} ${e.mode}`)).toEqual(['mode-widened 0644']);
    expect(diffCredentials('n', first.next, s, T1, new Map()).events).toEqual([]);
  });
});

describe('waivers', () => {
  it('a date-only expiry covers that whole day (UTC); globs match nodes and items; ? is never waived', () => {
    expect(expiryOf({ node: 'a', item: 'b', reason: 'r', expires: '2026-12-01' }).toISOString()).toBe('2026-12-02T00:00:00.000Z');
    const r = result(T0, [row('node03', { memory: { state: 'drift', what: ['config'] }, logs: { state: 'unknown', why: 'x' } })]);
    const w = [{ node: 'node0*', item: '*', reason: 'rebuild', expires: '2026-12-01' }];
    const live = applyWaivers(r, w, new Date(T0)).result;
    expect(live.rows[0]!.cells.memory!.state).toBe('waived');
    expect(live.rows[0]!.cells.logs!.state).toBe('unknown');
    expect(live.drift).toBe(false);
    const later = applyWaivers(r, w, new Date('2026-12-02T00:00:01Z'));
    expect(later.result.rows[0]!.cells.memory!.state).toBe('drift');
    expect(later.expired).toHaveLength(1);
  });
});

describe('payloads', () => {
  const ev = Array.from({ length: 300 }, (_, i) => ({ kind: 'drift' as const, node: `n${i}`, item: 'memory', at: T0, message: `n${i} memory drifts: config apiKey: "sk-proj-CANARYxxxxxxxxxxxxxxxxxxxxxx"` }));
  const meta = { fleet: 'inventory.yaml', sentAt: T0, delayed: 0 };
  it('Discord stays under 2,000 characters, Slack under 40,000, all are redacted JSON', () => {
    const d = JSON.parse(discordPayload(ev, meta));
    expect(d.content.length).toBeLessThanOrEqual(2000);
    expect(d.allowed_mentions).toEqual({ parse: [] });
    const s = JSON.parse(slackPayload(ev, meta));
    expect(s.text.length).toBeLessThanOrEqual(40000);
    const g = genericPayload(ev, meta);
    for (const p of [discordPayload(ev, meta), slackPayload(ev, meta), g]) expect(p).not.toContain('CANARY');
    expect(JSON.parse(g).summary).toBe('clawfleet inventory.yaml: 300 drift');
  });
});

describe("OpenClaw's own checks", () => {
  it('run only on versions seen to be read-only; findings become drift, redacted; a missing report is ?', () => {
    expect(checksApply('2026.5.28')).toBe(false);
    expect(checksApply('2026.9.6')).toBe(true);
    expect(checksApply(null)).toBe(false);
    const doctor = { code: 1, stdout: JSON.stringify({ schemaVersion: 1, ok: false, findings: [{ checkId: 'core/doctor/security', severity: 'warning', message: 'token "sk-ant-api03-SECRETxxxxxxxxxxxx" in config' }, { checkId: 'core/doctor/x', severity: 'info', message: 'fine' }] }) };
    const c = doctorCell(doctor);
    expect(c).toMatchObject({ state: 'drift', what: ['security'] });
    expect(JSON.stringify(c)).not.toContain('SECRET');
    expect(doctorCell({ code: 0, stdout: JSON.stringify({ ok: true, findings: [] }) })).toEqual({ state: 'ok' });
    expect(doctorCell({ code: 124, stdout: '' })).toMatchObject({ state: 'unknown', why: expect.stringMatching(/timed out/) });
    expect(secretsCell(null)).toMatchObject({ state: 'n/a' });
    expect(doctorCell(null)).toMatchObject({ state: 'n/a' });
    expect(secretsCell({ code: 1, stdout: JSON.stringify({ version: 1, status: 'findings', findings: [{ code: 'PLAINTEXT_FOUND', severity: 'warn', message: 'gateway.auth.token is stored as plaintext.' }] }) })).toMatchObject({ state: 'drift', what: ['plaintext-found'] });
  });
});

describe('examples', () => {
  it('examples/watch/waivers.yaml is a valid waivers file', async () => {
    const { loadWaivers } = await import('../../src/watch/waivers-file.js');
    const w = await loadWaivers(new URL('../../examples/watch/waivers.yaml', import.meta.url).pathname);
    expect(w.map((x) => `${x.node} ${x.item} ${x.expires}`)).toEqual(['node03 logs 2027-01-31', 'lab-* * 2027-03-31T18:00:00Z']);
  });
});

describe('OpenClaw checks script', () => {
  it('each check is stopped by timeout after 180 s, or CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT seconds (1-3600, else the default)', async () => {
    const { checkTimeoutS, openclawChecksScript } = await import('../../src/transport/openclaw-checks.js');
    expect(checkTimeoutS({})).toBe(180);
    expect(checkTimeoutS({ CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT: '900' })).toBe(900);
    for (const bad of ['0', '3601', '1.5', 'x; rm -rf /', ' ']) expect(checkTimeoutS({ CLAWFLEET_OPENCLAW_CHECKS_TIMEOUT: bad })).toBe(180);
    expect(openclawChecksScript('/usr/bin/openclaw', '/root/.openclaw', '/root/.openclaw/openclaw.json', '@@m', 900)).toContain('set -- timeout 900;');
  });
});
