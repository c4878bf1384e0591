// Issue 15: one glob semantics (picomatch) for protected files, known_hosts patterns and --limit.
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROTECTED } from '../../src/domain/protected.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { globToRe } from '../../src/shared/glob.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostFieldMatches } from '../../src/transport/ssh/known-hosts.js';
import { includeFiles } from '../../src/transport/ssh/ssh-config-include.js';

describe('protected globs', () => {
  it.each([
    ['agents/*/agent/auth-profiles.json', 'agents/main/agent/auth-profiles.json', true],
    ['agents/*/agent/auth-profiles.json', 'agents/a/b/agent/auth-profiles.json', false],
    ['credentials/**', 'credentials/whatsapp/default/creds.json', true],
    ['credentials/**', 'credentials/.oauth-token', true],
    ['credentials/*', 'credentials/whatsapp/creds.json', false],
    ['agents/*/agent/auth-profiles.json.*', 'agents/x/agent/auth-profiles.json.migrated-2026', true],
    ['state/**', 'state/openclaw.sqlite', true],
  ])('%s ~ %s → %s', (glob, path, hit) => {
    expect(globToRe(glob).test(path)).toBe(hit);
  });

  it.each(['openclaw-classic', 'openclaw-current'])("the shipped %s protects OpenClaw's nested credential files", async (name) => {
    const { baseline } = await loadBaseline(name, [BUILTIN_PLANS]);
    const globs = [...BUILTIN_PROTECTED, ...baseline.protected];
    for (const f of ['credentials/whatsapp/default/creds.json', 'credentials/oauth.json', 'agents/main/agent/auth-profiles.json']) {
      expect(globs.some((g) => globToRe(g).test(f)), f).toBe(true);
    }
    expect(globs.some((g) => globToRe(g).test('agents/main/sessions/x.jsonl'))).toBe(false);
  });
});

describe('known_hosts patterns (OpenSSH rules)', () => {
  it.each([
    ['*.example.com', 'a.b.example.com', true],
    ['node0?', 'node02', true],
    ['node0?', 'node012', false],
    ['NODE02', 'node02', true],
    ['[node02]:2222', '[node02]:2222', true],
    ['[node0?]:22*', '[node02]:2222', true],
    ['[node02]:2222', 'n', false],
    ['web{1,2}', 'web1', false],
    ['a(b)', 'a(b)', true],
    ['*,!bad.example.com', 'bad.example.com', false],
    ['*,!bad.example.com', 'good.example.com', true],
  ])('%s ~ %s → %s', (field, name, hit) => {
    expect(hostFieldMatches(field, name)).toBe(hit);
  });
});

describe('ssh config Include globs (OpenSSH rules)', () => {
  const entries = ['10-web', '2-db', '.hidden', 'web[1]', 'a.conf', 'b.txt', 'x{y}'];
  const env = { home: '/h', list: (d: string) => (d === '/h/.ssh/conf.d' ? entries : []) };
  it.each([
    ['conf.d/*', ['10-web', '2-db', 'a.conf', 'b.txt', 'web[1]', 'x{y}']],
    ['conf.d/*.conf', ['a.conf']],
    ['conf.d/?-*', ['2-db']],
    ['conf.d/web[*', ['web[1]']],
    ['conf.d/x{*', ['x{y}']],
    ['conf.d/.h*', []],
  ])('%s → %j (lexical order, hidden files left out, [ and { literal)', (arg, names) => {
    expect(includeFiles(arg, env)).toEqual(names.map((n) => `/h/.ssh/conf.d/${n}`));
  });
});

describe('one implementation of each', () => {
  const files = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
  const src = files(join(import.meta.dirname, '../../src'));
  it('no glob is translated to a RegExp by hand (picomatch does it), no concurrency pool is hand-written (listr2 runs them)', () => {
    for (const f of src) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/\.replace\(\/\\\*\/g/); // `.replace(/\*/g, …)`: the hand-written glob idiom
      // the one pool: terminal/progress.ts (runWithProgress, and eachLimit over it)
      if (!f.endsWith(join('terminal', 'progress.ts'))) expect(text, f).not.toMatch(/function (mapLimit|eachLimit|pLimit|pool)\b|Promise\.all\(Array\.from\(\{ length: Math\.(max|min)/);
    }
  });
});
