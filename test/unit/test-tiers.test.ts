// Issue 15, item 7: tests in tiers. `npm run test:unit` runs the unit project only: nothing in it needs root,
// a download, an SSH fleet or a browser; `npm test` (the README's command, and what .ci/run ends with) runs
// both projects, and every test file is in exactly one of them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

const REPO = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === 'node_modules' || e.name === 'fixtures' ? [] : files(join(d, e.name))) : e.name.endsWith('.test.ts') ? [join(d, e.name)] : []));
const tests = files(join(REPO, 'test')).map((f) => relative(REPO, f));

interface Project {
  test: { name: string; include: string[]; exclude?: string[] };
}
const projects = (config as unknown as { test: { projects: Project[] } }).test.projects;
/** The globs the config uses, read the way vitest reads them (`**` any depth, `*` one name). */
const matches = (glob: string, f: string) => new RegExp('^' + glob.split('**/').map((part) => part.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')).join('(?:.*/)?') + '$').test(f);
const inProject = (p: Project, f: string) => p.test.include.some((g) => matches(g, f)) && !(p.test.exclude ?? []).some((g) => matches(g, f) || matches(g.replace(/^\*\*\//, ''), f) || f.startsWith(g.replace(/\*\*$/, '')));

describe('test tiers', () => {
  it('two projects, unit and system; every test file in exactly one', () => {
    expect(projects.map((p) => p.test.name)).toEqual(['unit', 'system']);
    expect(tests.length).toBeGreaterThan(40);
    for (const f of tests) {
      const in_ = projects.filter((p) => inProject(p, f)).map((p) => p.test.name);
      expect(in_, f).toEqual([f.startsWith('test/unit/') ? 'unit' : 'system']);
    }
  });

  it('npm run test:unit runs the unit project alone; npm test builds, type-checks, lints and runs both; .ci/run runs npm test', () => {
    expect(pkg.scripts['test:unit']).toBe('vitest run --project unit');
    const steps = pkg.scripts.test!.split('&&').map((s) => s.trim());
    expect(steps).toEqual(['npm run build', 'npm run typecheck', 'npm run lint', 'vitest run --project unit', 'npm run test:setup', 'vitest run --project system']);
    expect(pkg.scripts['test:setup']).toMatch(/test-fleet\.sh install/);
    const ci = readFileSync(join(REPO, '.ci/run'), 'utf8').trimEnd().split('\n');
    expect(ci.at(-1)).toBe('npm test');
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toMatch(/^npm test\b.*everything/m);
  });

  it('no unit test needs root, a download, an SSH fleet or a browser (a root-only case is a visible skip)', () => {
    for (const f of tests.filter((t) => t.startsWith('test/unit/') && !t.endsWith('test-tiers.test.ts'))) {
      const text = readFileSync(join(REPO, f), 'utf8');
      expect(text, f).not.toMatch(/shellcheck'|test-fleet\.sh|openclaw-compat|\/var\/cache\/clawfleet|chromium|playwright|ssh-scenario|apt-get|'pack'/);
      // root-only checks are skipped by name (it.skipIf), not passed with an early return
      expect(text, f).not.toMatch(/getuid\?*\.\(\)\s*!==\s*0\)\s*return/);
    }
  });
});
