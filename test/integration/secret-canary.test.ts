// Issues 4 and 11: canary secrets planted on the nodes never appear in any output clawfleet produces.
// The corpus (test/fixtures/secret-corpus/corpus.json: 89 shapes of model-provider keys, chat-platform tokens
// and webhook URLs, cloud keys, URLs with credentials, Bearer under unlisted headers, arrays under secret
// keys, pass/pw/pin keys, keys with spaces and dots, key names in several languages, comments, JSON5
// continuations, values on the line after their key) is planted next to every place the merge inserts, so
// the diffs show the lines that hold them, and is printed by a failing handler whose command holds one too.
// Every output is searched: terminal, JSON, Markdown, saved plans, journals, errors, `runs`, `check`.
import { readFileSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

const CANARIES = [
  'sk-ant-api03-CANARYaaaaaaaaaaaaaaaaaaaaaaaaaaaa', // Anthropic key, in auth-profiles.json
  'sk-proj-CANARYbbbbbbbbbbbbbbbbbbbbbbbb', // OpenAI-style key under apiKey, in openclaw.json next to an insertion
  'canary-gateway-token-cccccccccccc', // no known shape: only its key name ("token") gives it away
  'ya29.CANARYdddddddddddddddddddddddd', // OAuth access token
  'canary-refresh-eeeeeeeeeeeeeeee', // OAuth refresh token
  'xoxb-CANARY-ffffffffffff', // Slack bot token
  'ghp_CANARYgggggggggggggggggggggggggggg', // GitHub token
];

interface Shape {
  shape: string;
  member: string;
}
const CORPUS = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/secret-corpus/corpus.json'), 'utf8')) as { inline: Shape[]; block: Shape[] };

const SETS: Record<string, string> = {
  an: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  dig: '0123456789',
  low: 'abcdefghijklmnopqrstuvwxyz0123456789',
  up: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  b64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
  b32: '023456789acdefghjklmnpqrstuvwxyz',
};

/** A seeded generator: the same corpus every run (reproducible), nothing stored in the repository. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fills a template's {name:length:set} values; returns the member text and its canary (the `s` value). */
function materialize(s: Shape, next: () => number): { shape: string; text: string; canary: string } {
  let canary = '';
  const text = s.member.replace(/\{([a-z]):(\d+):([a-z0-9]+)\}/g, (_m, name: string, len: string, set: string) => {
    const chars = SETS[set]!;
    const v = Array.from({ length: Number(len) }, () => chars[Math.floor(next() * chars.length)]).join('');
    if (name === 's') canary = v;
    return v;
  });
  if (canary.length < 8) throw new Error(`corpus shape "${s.shape}" has no canary`);
  return { shape: s.shape, text, canary };
}

const next = random(11);
const INLINE = CORPUS.inline.map((s) => materialize(s, next));
const BLOCK = CORPUS.block.map((s) => materialize(s, next));
const HANDLER_TOKEN = materialize({ shape: 'token in the handler command', member: '{s:32:an}' }, next);
const SHAPES = [...INLINE, ...BLOCK, HANDLER_TOKEN];

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
let f: Fleet;
const outputs: { what: string; text: string }[] = [];

async function walkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walkFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Plants the corpus where the merge inserts: the one-line `tools` object, and after the members it adds to. */
function plant(cfg: string, blocks: string[]): string {
  const tools = `  tools: { profile: "coding", ${INLINE.map((s) => s.text).join(', ')} },\n`;
  let out = cfg.replace('  tools: {\n    profile: "coding",\n  },\n', tools);
  if (out === cfg) throw new Error('tools section not found');
  const [defaultsEnd, rootEnd] = blocks;
  if (defaultsEnd) out = out.replace('      model: { primary: "anthropic/claude-sonnet-4-5" },\n', `$&      ${defaultsEnd}\n`);
  if (rootEnd) out = out.replace(tools, `$&  ${rootEnd}\n`);
  return out;
}

beforeAll(async () => {
  f = await tempDemoFleet();
  const placed: Record<string, string[]> = { node02: [BLOCK[0]!.text, BLOCK[1]!.text], node04: [BLOCK[2]!.text, BLOCK[3]!.text], node03: ['', BLOCK[4]!.text] };
  for (const node of ['node02', 'node03', 'node04']) {
    const cfgPath = `${f.node(node).root}/root/.openclaw/openclaw.json`;
    let cfg = plant(await readFile(cfgPath, 'utf8'), placed[node]!);
    cfg = cfg.replace('    mode: "local",\n', `    mode: "local",\n    apiKey: "${CANARIES[1]}",\n    slackBot: "${CANARIES[5]}",\n`);
    cfg = cfg.replace('token: "${OPENCLAW_GATEWAY_TOKEN}"', `token: "${CANARIES[2]}"`);
    cfg = cfg.replace('  agents: {\n', `  agents: {\n    // ci: ${CANARIES[6]}\n`);
    await writeFile(cfgPath, cfg);
  }
  const creds = {
    version: 1,
    profiles: {
      'anthropic:default': { type: 'api_key', provider: 'anthropic', key: CANARIES[0] },
      'google:oauth': { type: 'oauth', provider: 'google', access: CANARIES[3], refresh: CANARIES[4] },
    },
  };
  for (const [node, agent] of [['t440', 'main'], ['t440', 'assistant'], ['node02', 'coder']] as const) {
    await writeFile(`${f.node(node).root}/root/.openclaw/agents/${agent}/agent/auth-profiles.json`, JSON.stringify(creds, null, 2));
  }
  // node03's handler prints the whole inline corpus (its last 5 lines are journaled and reported) and fails,
  // so its output is shown; its command line holds a token of its own.
  const lines = Array.from({ length: 5 }, (_, i) => INLINE.filter((_s, k) => k % 5 === i).map((s) => s.text).join(', '));
  await writeFile(`${f.node('node03').root}/corpus.txt`, lines.join('\n') + '\n');
  const inventory = (await readFile(f.inventoryFile, 'utf8')).replace(/(  node03:\n)/, `$1    handler: "RELAY_TOKEN=${HANDLER_TOKEN.text} sh -c 'cat corpus.txt; exit 3'"\n`);
  await writeFile(f.inventoryFile, inventory);

  const inv = ['-i', f.inventoryFile];
  const planFile = `${f.dir}/plan.json`;
  const run = async (what: string, args: string[]) => {
    const r = await runCli(args);
    outputs.push({ what: `${what} (stdout)`, text: r.stdout }, { what: `${what} (stderr)`, text: r.stderr });
    return r;
  };
  await run('plan text', ['plan', ...inv]);
  await run('plan json', ['plan', ...inv, '--format', 'json']);
  await run('plan markdown', ['plan', ...inv, '--format', 'markdown']);
  await run('plan --out', ['plan', ...inv, '--out', planFile, '--format', 'markdown']);
  await run('check text', ['check', ...inv]);
  await run('check json', ['check', ...inv, '--format', 'json']);
  await run('check html', ['check', ...inv, '--format', 'html']);
  await run('check prometheus', ['check', ...inv, '--format', 'prometheus']);
  // watch: every output format, the alert payload a notifier receives, and the operator-side state file
  const watchArgs = ['watch', ...inv, '--state', `${f.dir}/watch-state.json`, '--secret-file', `${f.dir}/fleet-secret`, '--notify-command', `cat >> ${f.dir}/alerts.jsonl`];
  await run('watch text (first run)', watchArgs);
  const applied = await run('apply json', ['apply', planFile, '-y', '--format', 'json']);
  const runId = JSON.parse(applied.stdout).runId as string;
  await run('runs', ['runs', ...inv]);
  await run('unlock (nothing locked)', ['unlock', '--run', runId, ...inv]);
  await run('rollback', ['rollback', runId, '-y', ...inv]);
  const text = await run('apply text', ['apply', '-y', ...inv]);
  await run('rollback', ['rollback', text.stdout.match(/^run (\S+)$/m)![1]!, '-y', ...inv]);
  await run('apply markdown', ['apply', '-y', ...inv, '--format', 'markdown']);
  // a dashboard replaces the keys of two agents by one canary key: a credential alert, with no key in it
  for (const agent of ['assistant', 'coder']) {
    await writeFile(`${f.node('t440').root}/root/.openclaw/agents/${agent}/agent/auth-profiles.json`, JSON.stringify({ version: 1, profiles: { 'anthropic:default': { type: 'api_key', provider: 'anthropic', key: CANARIES[0] }, 'openai:x': { type: 'token', token: CANARIES[2] } } }));
  }
  await run('watch json', [...watchArgs, '--format', 'json']);
  await run('watch html', [...watchArgs, '--format', 'html']);
  await run('watch prometheus', [...watchArgs, '--format', 'prometheus']);
  await run('watch text', watchArgs);
  outputs.push({ what: 'watch alert payloads', text: await readFile(`${f.dir}/alerts.jsonl`, 'utf8') });
  outputs.push({ what: 'watch state file', text: await readFile(`${f.dir}/watch-state.json`, 'utf8') });
  // an error message quoting a broken config that holds secrets
  const cfg04 = `${f.node('node04').root}/root/.openclaw/openclaw.json`;
  await writeFile(cfg04, `{ gateway: { auth: { token: "${CANARIES[2]}" } }, tools: { apiKey: "${CANARIES[1]}" ; ${INLINE.map((s) => s.text).join(', ')} } }`);
  await run('plan with invalid config', ['plan', ...inv]);
  await run('apply with invalid config', ['apply', '-y', ...inv]);
  outputs.push({ what: 'saved plan file', text: await readFile(planFile, 'utf8') });
  for (const node of ['t440', 'node02', 'node03', 'node04']) {
    const runs = `${f.node(node).root}/openclaw-data/.clawfleet/runs`;
    for (const file of await walkFiles(runs)) {
      if (file.endsWith('journal.jsonl')) outputs.push({ what: `journal ${node}`, text: await readFile(file, 'utf8') });
    }
  }
}, 600_000); // ~30 CLI runs: minutes on a loaded machine

afterAll(async () => {
  await f?.cleanup();
});

describe('secret redaction', () => {
  it('the corpus holds at least 60 shapes', () => {
    expect(new Set(SHAPES.map((s) => s.shape)).size).toBeGreaterThanOrEqual(60);
    expect(new Set(SHAPES.map((s) => s.canary)).size).toBe(SHAPES.length);
  });

  it('collected every kind of output, and the diffs did show the lines that hold the corpus', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(42);
    expect(outputs.find((o) => o.what === 'watch alert payloads')!.text).toMatch(/"kind":"shared-key"/);
    expect(outputs.filter((o) => o.what.startsWith('journal')).length).toBeGreaterThanOrEqual(4);
    const planText = outputs.find((o) => o.what === 'plan text (stdout)')!.text;
    expect(planText).toMatch(/apiKey: "«…»"/);
    for (const s of INLINE) expect(planText).toContain(s.text.slice(0, s.text.search(/[:[{]/)).trim());
    expect(planText).toContain('      // «…»');
    expect(planText).toContain('/* «…»');
    expect(planText).toContain('apiKey: "«…»');
    expect(planText).toContain('webhookSecret:');
    // the handler ran, failed, and its output was reported and journaled (redacted)
    const applyJson = JSON.parse(outputs.find((o) => o.what === 'apply json (stdout)')!.text);
    const handler = applyJson.results.find((r: { node: string }) => r.node === 'node03').handler;
    expect(handler.code).toBe(3);
    expect(handler.output.split('\n')).toHaveLength(5);
    expect(outputs.find((o) => o.what === 'apply text (stdout)')!.text).toMatch(/node03: handler failed \(exit 3\): RELAY_TOKEN=«redacted»/);
    expect(outputs.filter((o) => o.what.startsWith('journal node03')).map((o) => o.text).join('')).toContain('"t":"handler"');
  });

  it.each(CANARIES)('canary %s appears in no output', (canary) => {
    const hits = outputs.filter((o) => o.text.includes(canary)).map((o) => o.what);
    expect(hits).toEqual([]);
  });

  it.each(SHAPES.map((s) => [s.shape, s] as const))('corpus: %s appears in no output', (_, s) => {
    const hits = outputs.filter((o) => o.text.includes(s.canary)).map((o) => o.what);
    expect(hits).toEqual([]);
  });

  it('the secrets themselves are still on the nodes, untouched', async () => {
    const text = await readFile(`${f.node('t440').root}/root/.openclaw/agents/assistant/agent/auth-profiles.json`, 'utf8');
    expect(text).toContain(CANARIES[0]);
    expect(await readFile(`${f.node('node02').root}/root/.openclaw/openclaw.json`, 'utf8')).toContain(INLINE[0]!.canary);
  });
});
