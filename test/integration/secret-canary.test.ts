// Issue 4: canary secrets planted on the nodes never appear in any output clawfleet produces.
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

beforeAll(async () => {
  f = await tempDemoFleet();
  for (const node of ['node02', 'node03', 't440']) {
    const cfgPath = `${f.node(node).root}/root/.openclaw/openclaw.json`;
    let cfg = await readFile(cfgPath, 'utf8');
    cfg = cfg.replace('    profile: "coding",\n', `    profile: "coding",\n    apiKey: "${CANARIES[1]}",\n    slackBot: "${CANARIES[5]}",\n`);
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
  // an invalid config on a node of its own fleet copy would stop apply; use node04 for an error message instead
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
  await run('plan --out', ['plan', ...inv, '--out', planFile]);
  await run('check json', ['check', ...inv, '--format', 'json']);
  const applied = await run('apply json', ['apply', planFile, '-y', '--format', 'json']);
  const runId = JSON.parse(applied.stdout).runId as string;
  await run('runs', ['runs', ...inv]);
  await run('rollback', ['rollback', runId, '-y', ...inv]);
  await run('apply markdown', ['apply', '-y', ...inv, '--format', 'markdown']);
  // an error message quoting a broken config that holds a secret
  const cfg04 = `${f.node('node04').root}/root/.openclaw/openclaw.json`;
  await writeFile(cfg04, `{ gateway: { auth: { token: "${CANARIES[2]}" } }, tools: { apiKey: "${CANARIES[1]}" ; } }`);
  await run('plan with invalid config', ['plan', ...inv]);
  await run('apply with invalid config', ['apply', '-y', ...inv]);
  outputs.push({ what: 'saved plan file', text: await readFile(planFile, 'utf8') });
  for (const node of ['t440', 'node02', 'node03', 'node04']) {
    const runs = `${f.node(node).root}/openclaw-data/.clawfleet/runs`;
    for (const file of await walkFiles(runs)) {
      if (file.endsWith('journal.jsonl')) outputs.push({ what: `journal ${node}`, text: await readFile(file, 'utf8') });
    }
  }
});

afterAll(async () => {
  await f?.cleanup();
});

describe('secret redaction', () => {
  it('collected every kind of output', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(26);
    expect(outputs.filter((o) => o.what.startsWith('journal')).length).toBeGreaterThanOrEqual(4);
    // the diffs did show the lines around the secrets, redacted
    expect(outputs.find((o) => o.what === 'plan text (stdout)')!.text).toMatch(/apiKey: "«redacted»"/);
  });

  it.each(CANARIES)('canary %s appears in no output', (canary) => {
    const hits = outputs.filter((o) => o.text.includes(canary)).map((o) => o.what);
    expect(hits).toEqual([]);
  });

  it('the secrets themselves are still on the nodes, untouched', async () => {
    const text = await readFile(`${f.node('t440').root}/root/.openclaw/agents/assistant/agent/auth-profiles.json`, 'utf8');
    expect(text).toContain(CANARIES[0]);
  });
});
