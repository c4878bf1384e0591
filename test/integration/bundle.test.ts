// The bundled CLI (dist/bin/clawfleet.js, what package.json's `bin` runs; built by `npm run build`) behaves
// like tsc's dist/cli.js, from the current src/ (`npm test` builds first; the other suites run it too, so it is
// not rebuilt here under them), on a local demo fleet, apply included.
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
let dir: string;

function run(file: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true' }, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: String(stdout) + String(stderr) });
    });
  });
}

/** The newest mtime of the files below `d` (ms). */
async function newest(d: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(d, { withFileTypes: true, recursive: true })) if (e.isFile()) t = Math.max(t, (await stat(join(e.parentPath, e.name))).mtimeMs);
  return t;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-bundle-'));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bundled CLI', () => {
  it('is what bin runs, finds the built-in plans, and plans and applies the demo fleet', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = join(REPO, pkg.bin.clawfleet!);
    expect(bin).toBe(join(REPO, 'dist/bin/clawfleet.js'));
    // built from the src/ under test (else: npm run build)
    expect((await stat(bin)).mtimeMs).toBeGreaterThanOrEqual(await newest(join(REPO, 'src')));
    // The node-side probe ships next to the bundle, where the bundled SSH transport looks for it.
    expect(await readFile(join(REPO, 'dist/bin/probe.sh'), 'utf8')).toBe(await readFile(join(REPO, 'src/transport/ssh/probe.sh'), 'utf8'));
    const demo = await run(bin, ['demo', '--dir', 'fleet']);
    expect(demo.code, demo.out).toBe(0);
    const inv = ['-i', join(dir, 'fleet/inventory.yaml')];
    const viaTsc = await run(join(REPO, 'dist/cli.js'), ['plan', ...inv, '-f', 'json']);
    const viaBundle = await run(bin, ['plan', ...inv, '-f', 'json']);
    expect(viaBundle.code).toBe(2);
    const strip = (t: string) => t.replace(/"createdAt": "[^"]*"/, '');
    expect(strip(viaBundle.out)).toBe(strip(viaTsc.out));
    expect((await run(bin, ['apply', '-y', ...inv])).code).toBe(0);
    expect((await run(bin, ['plan', ...inv])).code).toBe(0);
  });

  it('runs through a symlink named clawfleet, as npm installs bin', async () => {
    for (const target of [join(REPO, 'dist/bin/clawfleet.js'), join(REPO, 'dist/cli.js')]) {
      const link = join(dir, `bin-${target.length}`, 'clawfleet');
      await rm(join(link, '..'), { recursive: true, force: true });
      await mkdir(join(link, '..'));
      await symlink(target, link);
      const r = await run(link, ['--help']);
      expect(r.code, target).toBe(0);
      expect(r.out, target).toContain('Usage: clawfleet <command>');
    }
  });

  it('a reader that goes away (`clawfleet demo | head -1`): the output stops, no stack trace, the command ends with its code', async () => {
    const child = spawn(process.execPath, [join(REPO, 'dist/bin/clawfleet.js'), 'demo', '--dir', join(dir, 'pipe-demo')], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // read the first chunk, then close the pipe as `head -1` does
    await new Promise<void>((res) => child.stdout.once('data', () => res()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((res) => child.on('close', (c) => res(c)));
    expect(err).not.toMatch(/EPIPE|Unhandled|\n\s+at /);
    expect(code).toBe(0);
    // it finished: the demo fleet and the bare node's inventory are there
    expect((await readdir(join(dir, 'pipe-demo'))).sort()).toEqual(expect.arrayContaining(['inventory.yaml', 'new-node.yaml']));
  });
});
