// Validate before swap, on a local node without a root dir (it runs programs, like an SSH node): a fake
// `openclaw` on the CLI's PATH answers `--version` and `config validate --json` deterministically, so both
// branches are exercised; the real program is exercised by test/compat/.
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { breakLock } from '../../src/executor/lock.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import type { NodeWriter } from '../../src/transport/types.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';

const KEY = 'sk-ant-api03-VALIDATECANARY0123456789abcdefghij';

/**
 * The fake: `--version` → 2026.5.28; `config validate --json` logs its argv and env, then answers by
 * FAKE_OPENCLAW_MODE: "check" (invalid when the candidate holds "loud", echoing the key as real error
 * messages may), "garbage" (exit 0, no JSON), "hang-up" (exit 3, stderr only).
 */
const FAKE = (log: string) => `#!/bin/sh
if [ "$1" = "--version" ]; then echo "OpenClaw 2026.5.28 (fake)"; exit 0; fi
printf '%s|%s|%s\\n' "$*" "$OPENCLAW_CONFIG_PATH" "$OPENCLAW_STATE_DIR" >> ${JSON.stringify(log)}
case "$FAKE_OPENCLAW_MODE" in
  garbage) echo OK; exit 0 ;;
  hang-up) echo "TypeError: boom" >&2; exit 3 ;;
esac
if grep -q loud "$OPENCLAW_CONFIG_PATH"; then
  printf '{"valid":false,"path":"%s","issues":[{"path":"logging.level","message":"Invalid input (allowed: \\\\"silent\\\\", \\\\"info\\\\") near apiKey: \\\\"${KEY}\\\\""}]}\\n' "$OPENCLAW_CONFIG_PATH"
  exit 1
fi
echo '{"valid":true}'
`;

const CONFIG = `// hand-written
{
  meta: { lastTouchedVersion: "2026.5.28" },
  agents: { list: [{ id: "alpha" }] },
  models: { providers: { anthropic: { apiKey: "${KEY}" } } },
}
`;

let dir: string;
let home: string;
let oc: string;
let log: string;

async function inventory(extra = ''): Promise<string> {
  const file = join(dir, `inventory-${Math.random().toString(16).slice(2, 8)}.yaml`);
  await writeFile(
    file,
    `version: 1
defaults:
  transport: local
  root: /
  home: ${home}
  dataRoot: ${dir}/data
  openclawHome: ${oc}
  baseline: openclaw-classic
nodes:
  box:
    agents: [alpha]
${extra}`,
  );
  return file;
}

function cli(args: string[], opts: { fake?: boolean; mode?: string } = {}): Promise<CliResult> {
  const env: Record<string, string> = { PATH: opts.fake === false ? process.env.PATH! : `${dir}/bin:${process.env.PATH}`, FAKE_OPENCLAW_MODE: opts.mode ?? 'check' };
  return runCli(args, { env });
}

const calls = async () => (existsSync(log) ? (await readFile(log, 'utf8')).trim().split('\n') : []);
const candidates = () => readdirSync(oc).filter((n) => n.includes('clawfleet-') || n.includes('.bak'));

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-validate-'));
  home = join(dir, 'home');
  oc = join(home, '.openclaw');
  log = join(dir, 'calls.log');
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'bin', 'openclaw'), FAKE(log));
  await chmod(join(dir, 'bin', 'openclaw'), 0o755);
  await mkdir(join(oc, 'agents/alpha/sessions'), { recursive: true });
  await mkdir(join(oc, 'agents/alpha/agent'), { recursive: true });
  await writeFile(join(oc, 'openclaw.json'), CONFIG, { mode: 0o600 });
  await writeFile(join(oc, 'agents/alpha/sessions/s1.jsonl'), '{"type":"session"}\n');
  await writeFile(join(oc, 'agents/alpha/agent/auth-profiles.json'), `{"version":1,"profiles":{"anthropic:default":{"type":"api_key","key":"${KEY}"}}}`, { mode: 0o600 });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('validate before swap (local node without root, fake openclaw on PATH)', () => {
  it('valid: the candidate next to the live file is validated with a throwaway state dir, then renamed into place', async () => {
    const r = await cli(['apply', '-y', '-i', await inventory()]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [call, ...more] = await calls();
    expect(more).toEqual([]);
    const [args, candidate, state] = call!.split('|');
    expect(args).toBe('config validate --json');
    expect(candidate).toMatch(new RegExp(`^${oc}/\\.openclaw\\.json\\.clawfleet-\\d{8}T\\d{6}Z-[0-9a-f]{4}$`));
    expect(candidate).not.toMatch(/openclaw\.json\.bak/);
    expect(state).toMatch(/^\/tmp\//);
    expect(existsSync(state!)).toBe(false); // the throwaway state dir is removed
    expect(candidates()).toEqual([]);
    const text = await readFile(join(oc, 'openclaw.json'), 'utf8');
    expect(text).toContain('"consoleStyle": "pretty"');
    expect(text.startsWith('// hand-written')).toBe(true);
    // converged: the next plan writes nothing, so validates nothing
    expect((await cli(['plan', '-i', await inventory()])).code).toBe(0);
    expect(await calls()).toHaveLength(1);
  });

  it("invalid: apply fails with OpenClaw's own issue (redacted, one line), openclaw.json byte-identical, the run rolled back", async () => {
    const before = await snapshotTree(home);
    const cfgBefore = await readFile(join(oc, 'openclaw.json'));
    const r = await cli(['apply', '-y', '-i', await inventory('    overrides:\n      logging: { level: loud }\n')]);
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    const line = out.split('\n').find((l) => l.includes('rejects the merged config'));
    expect(line, out).toMatch(/^failed\s+box: .*openclaw\.json: OpenClaw 2026\.5\.28 rejects the merged config \(openclaw config validate\): logging\.level: Invalid input \(allowed: "silent", "info"\).*; the live config was not changed$/);
    expect(out).not.toContain(KEY);
    expect(out).toContain('«redacted»');
    expect(out).toMatch(/rolled back \d+ completed action/);
    expect(await readFile(join(oc, 'openclaw.json'))).toEqual(cfgBefore);
    expect(candidates()).toEqual([]);
    expect(diffSnapshots(before, await snapshotTree(home))).toEqual([]);
    // the rejected candidate is kept for inspection, under the run's attic (never as openclaw.json.bak.*)
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(out)![1]!;
    const kept = readdirSync(join(oc, '.clawfleet', runId, 'undone'));
    expect(kept).toEqual([expect.stringMatching(/^\d+-openclaw\.json\.candidate$/)]);
    expect(await readFile(join(oc, '.clawfleet', runId, 'undone', kept[0]!), 'utf8')).toContain('"level": "loud"');
  });

  it.each([
    ['garbage', /validator gave no usable answer \(exit 0: OK\); refusing to write an unvalidated config/],
    ['hang-up', /validator gave no usable answer \(exit 3: TypeError: boom\)/],
  ])('a validator answering %s is never taken for "valid": nothing written', async (mode, msg) => {
    const before = await snapshotTree(home);
    const r = await cli(['apply', '-y', '-i', await inventory()], { mode });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(msg);
    expect(diffSnapshots(before, await snapshotTree(home))).toEqual([]);
  });

  it('bootstrap: no openclaw on the node → the plan says the config cannot be validated there, apply writes it', async () => {
    const inv = await inventory();
    const plan = await cli(['plan', '-i', inv], { fake: false });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toContain("note: box: " + join(oc, 'openclaw.json') + ": no openclaw program on this node: the merged config cannot be checked with OpenClaw's own validator");
    const r = await cli(['apply', '-y', '-i', inv], { fake: false });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await calls()).toEqual([]);
    expect(candidates()).toEqual([]);
  });
});

describe('a candidate left behind by a crash', () => {
  it('is moved aside by rollback, which restores the byte-identical tree', async () => {
    const f = await tempDemoFleet();
    try {
      const root = f.node('node03').root!;
      const before = await snapshotTree(root);
      const plan = await f.plan('node03');
      expect(plan.actions.map((a) => a.type)).toEqual(['merge-config']);
      // The connection dies right when the candidate is to be renamed over the live file: the run cannot
      // even roll itself back (as after a crash), and the candidate stays next to openclaw.json.
      let dead = false;
      const inner = f.writer('node03');
      const dying = new Proxy(inner, {
        get(t, prop, recv) {
          const v = Reflect.get(t, prop, recv) as unknown;
          if (typeof v !== 'function') return v;
          return async (...args: unknown[]) => {
            if (prop === 'replace') dead = true;
            if (dead && prop !== 'close') throw new Error('connection lost');
            return (v as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          };
        },
      }) as NodeWriter;
      const runId = newRunId();
      const r = await applyNode(dying, plan, { runId, by: 't', baseline: 'openclaw-classic' });
      expect(r.status).toBe('rollback-failed');
      const ocDir = `${root}/root/.openclaw`;
      expect(readdirSync(ocDir).filter((n) => n.startsWith('.openclaw.json.clawfleet-'))).toEqual([`.openclaw.json.clawfleet-${runId}`]);
      expect(diffSnapshots(before, await snapshotTree(root)).length).toBeGreaterThan(0);

      // as a user would after a crash: unlock the dead run, then roll it back
      expect(await breakLock(f.writer('node03'), plan.paths.stateDir, runId)).toMatchObject({ runId });
      const rb = await rollbackRun(f.writer('node03'), plan.paths, runId, 'other@machine', f.layout('node03'));
      expect(rb.status).toBe('rolled-back');
      expect(diffSnapshots(before, await snapshotTree(root))).toEqual([]);
      expect(readdirSync(`${ocDir}/.clawfleet/${runId}/undone`)).toEqual([expect.stringMatching(/openclaw\.json\.candidate$/)]);
    } finally {
      await f.cleanup();
    }
  });
});
