// Issue 15: installs and runs like any npm CLI. `npm pack` builds the tarball (prepare: tsc + bundle, the
// bin's run bit set), it installs globally into an empty prefix and runs `clawfleet --version` and the demo
// from an unrelated dir with nothing of this checkout on PATH. package.json tells the truth: engines, and
// runtime dependencies are what the code imports. In the checkout, `npx clawfleet` and `npm exec` run its bin.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');
let w: string;

function run(cmd: string, args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: 600_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: String(stdout) + String(stderr) });
    });
  });
}

beforeAll(async () => {
  w = await mkdtemp(join(tmpdir(), 'clawfleet-pack-'));
});
afterAll(async () => {
  await rm(w, { recursive: true, force: true });
});

describe('the npm package', () => {
  it('npm pack → npm i -g into an empty prefix → clawfleet --version and demo from another dir', { timeout: 900_000 }, async () => {
    // packed from a copy: `prepare` rebuilds dist/, which the other suites run meanwhile from this checkout
    const copy = join(w, 'src-copy');
    execFileSync('mkdir', ['-p', copy]);
    for (const e of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'src', 'scripts', 'plans', 'schema']) execFileSync('cp', ['-r', join(REPO, e), copy]);
    await symlink(join(REPO, 'node_modules'), join(copy, 'node_modules'));
    const packed = await run('npm', ['pack', '--pack-destination', w], { cwd: copy });
    expect(packed.code, packed.out).toBe(0);
    const tgz = (await readdir(w)).find((f) => f.endsWith('.tgz'))!;
    const listing = execFileSync('tar', ['tvzf', join(w, tgz)], { encoding: 'utf8' });
    expect(listing).toMatch(/^-rwxr-xr-x .* package\/dist\/bin\/clawfleet\.js$/m);
    expect(listing).toMatch(/ package\/plans\/openclaw-classic\.yaml$/m);
    expect(listing).not.toMatch(/ package\/(src|test)\//);
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
    const prefix = join(w, 'prefix');
    // The global install (most of this test's time: ssh2's and cpu-features' native builds) runs while the
    // checkout's own bin is tried: they share nothing but npm's cache.
    const [npx, exec, installed] = await Promise.all([
      // in the checkout itself, once `prepare` has built it (as `npm ci` does): npx and npm exec run its own bin
      run('npx', ['--no-install', 'clawfleet', '--version'], { cwd: copy }),
      run('npm', ['exec', '--no', '--', 'clawfleet', 'demo', '--dir', join(w, 'demo-in-checkout')], { cwd: copy, env: { ...process.env, NO_COLOR: '1' } }),
      run('npm', ['i', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(w, tgz)], { cwd: w }),
    ]);
    expect(npx.code, npx.out).toBe(0);
    expect(npx.out.trim().split('\n').at(-1)).toBe(pkg.version);
    expect(exec.code, exec.out).toBe(0);
    expect(exec.out).toContain('Plan: 58 changes on 4 nodes');
    expect(installed.code, installed.out).toBe(0);
    const home = join(w, 'elsewhere');
    execFileSync('mkdir', ['-p', home]);
    const env = { PATH: `${prefix}/bin:/usr/local/bin:/usr/bin:/bin`, HOME: home, NO_COLOR: '1' };
    expect(await run('clawfleet', ['--version'], { cwd: home, env })).toEqual({ code: 0, out: `${pkg.version}\n` });
    const demo = await run('clawfleet', ['demo'], { cwd: home, env });
    expect(demo.code, demo.out).toBe(0);
    expect(demo.out).toContain('Plan: 58 changes on 4 nodes');
    expect(demo.out).toContain('clawfleet apply -i .demo-fleet/inventory.yaml');
    expect(existsSync(join(home, '.demo-fleet/inventory.yaml'))).toBe(true);
    const applied = await run('clawfleet', ['apply', '-y', '-i', '.demo-fleet/inventory.yaml'], { cwd: home, env });
    expect(applied.code, applied.out).toBe(0);
  });

  it('package.json: engines as the build needs, runtime dependencies are what src imports, zx only for the bench', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8'));
    const rolldown = JSON.parse(await readFile(join(REPO, 'node_modules/rolldown/package.json'), 'utf8'));
    expect(pkg.engines.node).toBe(rolldown.engines.node); // `prepare` builds with rolldown on install
    expect(pkg.bin).toEqual({ clawfleet: 'dist/bin/clawfleet.js' });
    expect(pkg.scripts.prepare).toMatch(/build/);
    const src = execFileSync('grep', ['-rhoE', "from '[^.][^']*'", join(REPO, 'src')], { encoding: 'utf8' });
    const imported = new Set([...src.matchAll(/from '((?:@[^/']+\/)?[^/']+)/g)].map((m) => m[1]!).filter((m) => !m.startsWith('node:')));
    // ssh2-sftp-client and ssh2 are loaded by the SSH transport; every runtime dependency is imported somewhere
    for (const dep of Object.keys(pkg.dependencies)) expect(imported.has(dep) || dep === 'ssh2', `${dep} is a runtime dependency nothing imports`).toBe(true);
    for (const dep of imported) expect(pkg.dependencies[dep], `${dep} is imported but not a runtime dependency`).toBeDefined();
    expect(pkg.dependencies.zx).toBeUndefined();
    expect(pkg.devDependencies.zx).toBeDefined();
  });
});
