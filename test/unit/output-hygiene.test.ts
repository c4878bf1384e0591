// Issue 11, item 4: redaction is linear, touches no field that drives apply, and every human output escapes
// control characters and bidi overrides.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/domain/plan.js';
import type { NodeResult } from '../../src/domain/results.js';
import { planNode } from '../../src/planner/plan-node.js';
import { planToJson } from '../../src/plan-file/io.js';
import { escapeControl } from '../../src/render/escape.js';
import { renderPlanMarkdown } from '../../src/render/plan-markdown.js';
import { renderPlanText } from '../../src/render/plan-text.js';
import { REDACTED, redactText } from '../../src/shared/redact.js';
import { renderResults } from '../../src/render/results-text.js';
import { renderRuns } from '../../src/render/runs-text.js';
import { COLOR, PLAIN } from '../../src/terminal/style.js';
import { safeLine } from '../../src/render/safe-line.js';
import { bare, converged, DATA, OC } from '../helpers/plan-builders.js';

/** Any C0 but newline and tab, DEL, C1, bidi controls, line/paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
/** Our own colours, the only escape sequences human output may hold. */
// eslint-disable-next-line no-control-regex
const OUR_SGR = /\x1b\[(?:0|1|2|22|31|32|33|36|39)m/g; // colorette closes bold/dim with 22 and colours with 39
const HOSTILE = 'evil\x1b[2J\x1b]52;c;cm0gLXJmIC8=\x07\rPlan: 0 changes\u202egnp.exe\u0085\n  fake: line';

function planOf(nodes: Plan['nodes']): Plan {
  return { format: 'clawfleet-plan', version: 1, createdAt: '2026-01-01T00:00:00Z', baselines: [{ name: 'mini', sha256: '0'.repeat(64) }], inventory: { path: '/i.yaml', sha256: '0'.repeat(64) }, nodes };
}

describe('escapeControl', () => {
  it('shows control characters, bidi overrides and (on one line) newlines as visible escapes', () => {
    expect(escapeControl('a\x1b[31mb\rc\u202ed\u0085e\nf\tg')).toBe('a\\x1b[31mb\\rc\\u202ed\\x85e\\nf\tg');
    expect(escapeControl('a\r\nb\x07\n', { lines: true })).toBe('a\nb\\x07\n');
    expect(escapeControl(escapeControl(HOSTILE))).toBe(escapeControl(HOSTILE));
  });
});

describe('human output escapes what came from a node', () => {
  // a link whose real dir holds an entry with a hostile name, an orphan, a config with control characters
  const input = converged()
    .dir(`${OC}/memory`, { [`${HOSTILE}.sqlite`]: 'x' })
    .missing(`${DATA}/memory`)
    .configText(`{\n  // \x1b[2J cleared\n  note: "\u202etxt.exe",\n}\n`)
    .build();
  const plan = planOf([planNode(input)]);
  plan.nodes[0]!.diagnostics.push({ severity: 'warning', node: 'n1', path: `${OC}/${HOSTILE}`, message: `found ${HOSTILE}` });

  it.each([
    ['plan text', () => renderPlanText(plan, PLAIN)],
    ['plan text, coloured', () => renderPlanText(plan, COLOR).replace(OUR_SGR, '')],
    ['plan markdown', () => renderPlanMarkdown(plan)],
  ])('%s holds no control character and no injected line', (_, render) => {
    const out = render();
    expect(out).not.toMatch(CONTROL);
    expect(out).toContain('evil\\x1b[2J'); // shown, escaped
    expect(out.split('\n').filter((l) => /^(Plan: 0 changes|\s*fake: line)/.test(l))).toEqual([]);
  });

  it('markdown: a name cannot close the section or the diff fence', () => {
    const p = planOf([planNode(converged().configText('{\n  // ``` </details> <img src=x>\n}\n').build())]);
    p.nodes[0]!.diagnostics.push({ severity: 'warning', node: 'n1', message: '</details><b>approved</b>' });
    const md = renderPlanMarkdown(p);
    expect(md.match(/<\/details>/g)).toHaveLength(1);
    expect(md).toContain('&lt;/details&gt;&lt;b&gt;approved&lt;/b&gt;');
  });

  it('results, runs, and error lines', () => {
    const r: NodeResult = { node: 'n1', runId: 'r1', status: 'failed', done: 0, total: 1, actions: [], error: HOSTILE, handler: { command: `restart ${HOSTILE}`, code: 1, output: `ok\n${HOSTILE}` } };
    expect(renderResults([r], PLAIN)).not.toMatch(CONTROL);
    const runs = renderRuns([{ node: 'n1', ok: true, value: [{ runId: 'r1', status: HOSTILE, actions: { x: HOSTILE }, at: 7, by: HOSTILE }] }, { node: 'n2', ok: false, error: HOSTILE }], PLAIN);
    expect(runs).not.toMatch(CONTROL);
    expect(runs.trimEnd().split('\n')).toHaveLength(3);
    expect(safeLine(`locked by run x by ${HOSTILE}`)).not.toMatch(CONTROL);
  });
});

describe('redaction never touches what drives apply', () => {
  it('an agent id like desk-support-bot-eu-west and an override cdpAuth: "none" reach the saved plan as they are', () => {
    const id = 'desk-support-bot-eu-west';
    const input = bare({ node: { agents: [id], overrides: { logging: { cdpAuth: 'none' } } } }).agents(id).dir(`${OC}/agents/${id}`).build();
    const json = JSON.parse(planToJson(planOf([planNode(input)])));
    const actions = json.nodes[0].actions as { path: string; sections?: { value: Record<string, unknown> }[] }[];
    expect(actions.some((a) => a.path === `${OC}/agents/${id}/sessions`)).toBe(true);
    expect(actions.find((a) => a.sections)!.sections![0]!.value.cdpAuth).toBe('none');
    expect(JSON.stringify(json)).not.toContain(REDACTED);
  });

  it('the free text of a saved plan is still redacted', () => {
    const p = planOf([planNode(converged().build())]);
    p.nodes[0]!.diagnostics.push({ severity: 'error', node: 'n1', message: 'openclaw said: apiKey: "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUv0123"' });
    expect(planToJson(p)).not.toContain('AbCdEfGhIjKlMnOp');
  });
});

describe('redactText', () => {
  it.each([
    ['"api key": "hunter2hunter2"', '"api key": "«redacted»"'],
    ["'openai.apiKey': 'abc123'", "'openai.apiKey': '«redacted»'"],
    ['"mot de passe": "s3cret!"', '"mot de passe": "«redacted»"'],
    ['passwort = "geheim123"', 'passwort = "«redacted»"'],
    ['"contraseña": "abc"', '"contraseña": "«redacted»"'],
    ['"пароль": "abc"', '"пароль": "«redacted»"'],
    ['"密码": "abc"', '"密码": "«redacted»"'],
    ['pw: "x"', 'pw: "«redacted»"'],
    ['pin=4711', 'pin=«redacted»'],
    ['password: hunter22', 'password: «redacted»'],
    ['apiKeys: ["one", "two"]', 'apiKeys: [«redacted»]'],
    ['token: "abc\\\ndef"', 'token: "«redacted»"'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: «redacted»'],
    ['"X-Trace": "Bearer abcdef0123456789"', '"X-Trace": "Bearer «redacted»"'],
    ['redis://default:pa55word@cache:6379', 'redis://default:«redacted»@cache:6379'],
    ['https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX', 'https://hooks.slack.com/services/«redacted»'],
    ['token: "${OPENCLAW_GATEWAY_TOKEN}"', 'token: "${OPENCLAW_GATEWAY_TOKEN}"'],
  ])('%s', (input, want) => {
    expect(redactText(input)).toBe(want);
  });

  it.each([
    'cdpAuth: none',
    '/root/.openclaw/agents/desk-support-bot-eu-west/sessions: dir could not be listed',
    'node02: /root/.openclaw/credentials: holds protected file oauth.json',
    'CREDENTIALS: orphan holds agent/auth-profiles.json',
    'link:/root/.openclaw/agents/sk-support-bot-eu-west/memory',
  ])('leaves prose and paths alone: %s', (text) => {
    expect(redactText(text)).toBe(text);
  });

  // Not a timed assert: the old patterns took minutes to hours on these (a quadratic or worse rescan of
  // one long run); the test's timeout only catches a hang. The figures are in the README.
  const MIB2 = 2 * 1024 * 1024;
  it.each([
    ['eyJ repeated', 'eyJ'.repeat(MIB2 / 3)],
    ['a name-like run', 'sk-' + 'a-'.repeat(MIB2 / 2)],
    ['colons', 'a:'.repeat(MIB2 / 2)],
    ['quoted keys', '"token": "'.repeat(MIB2 / 10)],
    ['scheme-like run', '://a:'.repeat(MIB2 / 5)],
    ['key headers', '-----BEGIN '.repeat(MIB2 / 11)],
  ])('stays linear on 2 MiB of %s', { timeout: 60_000 }, (_, text) => {
    expect(redactText(text).length).toBeGreaterThan(0);
  });
});
