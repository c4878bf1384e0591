// Issue 15: the CLI's conventions, in-process (no build, no root): --version, help <command>, typo
// suggestions, --json errors, colour switches, -v/--quiet, show PLANFILE, runs -f json / runs show,
// completion, --limit exclusions, rollback --dry-run.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { createDemoFleet } from '../../src/demo/demo-fleet.js';
import { colorEnabled, setColorMode } from '../../src/terminal/style.js';
import { diffSnapshots, snapshotTree } from '../helpers/snapshot.js';

class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

async function cli(args: string[], env: Record<string, string | undefined> = {}) {
  const out = new Capture() as unknown as NodeJS.WriteStream & Capture;
  let err = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    err += String(c);
    return true;
  });
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  try {
    const code = await main(args, out);
    return { code, stdout: out.text, stderr: err };
  } finally {
    spy.mockRestore();
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}

let dir: string;
let inv: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-cli-unit-'));
  inv = await createDemoFleet(join(dir, 'fleet'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('conventions', () => {
  it('--version and -V print the package version', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const flag of ['--version', '-V']) expect(await cli([flag])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('help <command> and <command> --help print the same help, exit 0', async () => {
    const a = await cli(['help', 'apply']);
    const b = await cli(['apply', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('Usage: clawfleet apply [options] [PLAN-FILE]');
    expect(a.stdout).toContain('-l, --limit LIST');
    expect((await cli(['help'])).stdout).toMatch(/Commands:[\s\S]*show[\s\S]*completion/);
  });

  it('a typo in a command or an option gets a suggestion, in one line', async () => {
    const c = await cli(['plna']);
    expect(c).toMatchObject({ code: 1, stdout: '' });
    expect(c.stderr).toBe("clawfleet: unknown command 'plna' (Did you mean plan?)\n");
    const o = await cli(['plan', '--limt', 'x']);
    expect(o.stderr).toBe("clawfleet: unknown option '--limt' (Did you mean --limit?)\n");
    const f = await cli(['plan', '-f', 'yaml']);
    expect(f.stderr).toMatch(/argument 'yaml' is invalid. Allowed choices are text, json, markdown\.\n$/);
  });

  it('--json (and -f json): errors are a JSON document on stdout too', async () => {
    const r = await cli(['plan', '-i', join(dir, 'missing.yaml'), '--json']);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'clawfleet-error', version: 1, error: { code: 'ENOENT', path: join(dir, 'missing.yaml') } });
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const u = await cli(['check', '-f', 'json', '--bogus']);
    expect(JSON.parse(u.stdout).error).toMatchObject({ code: 'USAGE', message: "unknown option '--bogus'" });
    const s = await cli(['plan', '-i', inv, '-l', 'node4', '--json']);
    expect(JSON.parse(s.stdout).error.message).toContain('(did you mean "node04"?)');
  });

  it('colour: --no-color beats FORCE_COLOR, FORCE_COLOR colours a pipe, NO_COLOR turns it off', async () => {
    const esc = /\x1b\[/;
    expect((await cli(['plan', '-i', inv, '-l', 'node03'], { FORCE_COLOR: '1', NO_COLOR: undefined })).stdout).toMatch(esc);
    expect((await cli(['plan', '-i', inv, '-l', 'node03', '--no-color'], { FORCE_COLOR: '1', NO_COLOR: undefined })).stdout).not.toMatch(esc);
    expect((await cli(['plan', '-i', inv, '-l', 'node03', '--color'], { FORCE_COLOR: undefined, NO_COLOR: undefined })).stdout).toMatch(esc);
    expect((await cli(['plan', '-i', inv, '-l', 'node03'], { FORCE_COLOR: undefined, NO_COLOR: undefined })).stdout).not.toMatch(esc);
    setColorMode('auto');
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ isTTY: true }, { TERM: 'xterm' })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: '' })).toBe(true);
  });

  it('-v shows per-node progress lines of a plan without a terminal; --quiet drops notes and hints', async () => {
    const v = await cli(['plan', '-i', inv, '-v'], { CI: 'true' });
    expect(v.stderr).toMatch(/^\[t440\] started$/m);
    expect(v.stderr).toMatch(/^\[node02\] 25 changes$/m);
    expect((await cli(['plan', '-i', inv], { CI: 'true' })).stderr).toBe('');
    const c = await cli(['check', '-i', inv, '-v'], { CI: 'true' });
    expect(c.stderr).toMatch(/^\[t440\] started$/m);
    expect(c.stderr).toMatch(/^\[node02\] /m);
    expect((await cli(['check', '-i', inv], { CI: 'true' })).stderr).toBe('');
    const d = await cli(['demo', '--dir', join(dir, 'quiet'), '-q']);
    expect(d.code).toBe(0);
    expect(d.stdout).not.toContain('Next, try');
    expect((await cli(['demo', '--dir', join(dir, 'quiet')])).stdout).toContain('clawfleet apply -i');
  });

  it('--limit takes exclusions and repeats', async () => {
    const r = await cli(['plan', '-i', inv, '-l', 'prod', '-l', '!node04', '-l', '!t440', '-f', 'json']);
    expect(JSON.parse(r.stdout).nodes.map((n: { node: string }) => n.node)).toEqual(['node02', 'node03']);
  });
});

describe('show, runs', () => {
  it('show PLANFILE renders a saved plan as plan did (text, markdown, json), contacting no node', async () => {
    const file = join(dir, 'plan.json');
    const planned = await cli(['plan', '-i', inv, '--out', file]);
    expect(planned.code).toBe(2);
    const shown = await cli(['show', file]);
    expect(shown.code).toBe(2);
    expect(shown.stdout).toBe(planned.stdout);
    expect((await cli(['show', file, '-f', 'markdown'])).stdout).toMatch(/^## clawfleet plan: 58 changes on 4 nodes/);
    expect(JSON.parse((await cli(['show', file, '--json'])).stdout).summary).toEqual({ changes: 58, changed: 4, unchanged: 0, errors: 0 });
    const bad = await cli(['show', join(dir, 'nope.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('nope.json: cannot read the plan');
  });

  it('runs -f json lists each node\'s runs; runs show RUN-ID tells what a run did, action by action', async () => {
    const fleet = await createDemoFleet(join(dir, 'runs'));
    const applied = await cli(['apply', '-y', '-i', fleet, '-l', 'node03,t440']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const runs = JSON.parse((await cli(['runs', '-i', fleet, '-f', 'json'])).stdout);
    expect(runs.format).toBe('clawfleet-runs');
    const byNode = Object.fromEntries(runs.nodes.map((n: { node: string; runs: { runId: string; status: string }[] }) => [n.node, n.runs]));
    expect(byNode.node02).toEqual([]);
    expect(byNode.node03).toHaveLength(1);
    const runId = byNode.node03[0].runId as string;
    expect(byNode.node03[0].status).toBe('applied');
    const text = await cli(['runs', 'show', runId, '-i', fleet]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^node03: run ${runId} applied · 1 actions · by \\S+ at \\S+ · baseline openclaw-classic$`, 'm'));
    expect(text.stdout).toMatch(/^  done {5}merge-config {1}\/root\/\.openclaw\/openclaw\.json$/m);
    expect(text.stdout).toMatch(/^  done {5}quarantine {3}\/root\/\.openclaw\/agents\/main$/m);
    expect(text.stdout).not.toContain('node02');
    const j = JSON.parse((await cli(['runs', 'show', runId, '-i', fleet, '--json'])).stdout);
    expect(j.nodes.map((n: { node: string }) => n.node)).toEqual(['t440', 'node03']);
    expect((await cli(['runs', 'show', 'nonsense', '-i', fleet])).stderr).toContain('not a run id');

    // rollback --dry-run: shows what it would touch, changes nothing (no byte, no lock, no journal record)
    const root = join(dir, 'runs');
    const before = await snapshotTree(root, { exclude: /^$/ });
    const dry = await cli(['rollback', runId, '-i', fleet, '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(new RegExp(`^  node03: run ${runId}, 1 action\\(s\\), newest first:$`, 'm'));
    expect(dry.stdout).toMatch(new RegExp(`^  t440: run ${runId}, \\d+ action\\(s\\), newest first:$`, 'm'));
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);
    // without a terminal and without -y, the real one refuses; with -y it undoes the run
    expect((await cli(['rollback', runId, '-i', fleet])).stderr).toContain('rollback needs a terminal to confirm, or -y');
    expect(diffSnapshots(before, await snapshotTree(root, { exclude: /^$/ }))).toEqual([]);
    expect((await cli(['rollback', runId, '-i', fleet, '-y'])).code).toBe(0);
    const after = JSON.parse((await cli(['runs', '-i', fleet, '--json'])).stdout);
    expect(after.nodes.find((n: { node: string }) => n.node === 'node03').runs[0].status).toMatch(/rolled.?back/);
  });
});

describe('completion', () => {
  const complete = (script: string, words: string[]) =>
    execFileSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _clawfleet; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);

  it('bash: commands, a command\'s options, runs show', async () => {
    const script = (await cli(['completion', 'bash'])).stdout;
    expect(complete(script, ['clawfleet', 'pl'])).toEqual(['plan']);
    expect(complete(script, ['clawfleet', 'plan', '--li'])).toEqual(['--limit']);
    expect(complete(script, ['clawfleet', 'apply', '--fa'])).toEqual(['--fail-fast']);
    expect(complete(script, ['clawfleet', 'runs', 'sh'])).toEqual(['show']);
    expect(complete(script, ['clawfleet', '--no-c'])).toEqual(['--no-color']);
  });

  it('fish, and an unknown shell is a usage error', async () => {
    expect((await cli(['completion', 'fish'])).stdout).toContain("complete -c clawfleet -f -n __fish_use_subcommand -a 'plan'");
    expect((await cli(['completion', 'tcsh'])).code).toBe(1);
  });
});
