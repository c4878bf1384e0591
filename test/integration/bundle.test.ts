// The bundled CLI (dist/bin/clawfleet.js, what package.json's `bin` runs; built by `npm run build`) behaves
// like tsc's dist/cli.js: it is rebuilt here from src/ and run on a local demo fleet, apply included.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
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

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-bundle-'));
  const built = await run(join(REPO, 'scripts/bundle.mjs'), []);
  expect(built.code, built.out).toBe(0);
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('bundled CLI', () => {
  it('is what bin runs, finds the built-in plans, and plans and applies the demo fleet', async () => {
    const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = join(REPO, pkg.bin.clawfleet!);
    expect(bin).toBe(join(REPO, 'dist/bin/clawfleet.js'));
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
});
