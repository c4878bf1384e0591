// Keeps the shape honest: pure layers import no I/O, no transport, no executor.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../src');

function files(dir: string): string[] {
  return readdirSync(join(SRC, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

function imports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  return [...text.matchAll(/^\s*import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]!);
}

const IO = [/^node:fs/, /^fs$/, /^node:child_process/, /^zx/, /^ssh2/, /^ssh2-sftp-client/, /^node:net/, /transport\//, /executor\//, /commands\//];
const PURE = ['planner', 'domain', 'config', 'render', 'facts', 'rollout', 'check'];

describe('architecture', () => {
  it.each(PURE)('src/%s/ imports neither fs, shells, ssh, transports, the executor nor commands', (dir) => {
    const offenders: string[] = [];
    for (const f of files(dir)) {
      for (const i of imports(f)) {
        const allowed = dir === 'facts' && /transport\/types\.js$/.test(i); // facts read through the NodeReader interface
        if (!allowed && IO.some((re) => re.test(i))) offenders.push(`${f} imports ${i}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('only the executor (and the transports themselves) get a NodeWriter; commands and the fleet pipeline only hand it over', () => {
    const holders = files('.').filter((f) => /\bNodeWriter\b/.test(readFileSync(join(SRC, f), 'utf8')));
    expect(holders.filter((f) => !/^(executor|transport|commands|fleet)\//.test(f))).toEqual([]);
    const writes = /\b(w|writer|n\.writer)!?\.(mkdir|symlink|writeFileAtomic|writeFileExclusive|appendFile|rename|replace|copyTree|rmdir|unlink|exec)\(/;
    expect([...files('commands'), ...files('fleet')].filter((f) => writes.test(readFileSync(join(SRC, f), 'utf8')))).toEqual([]);
  });
});
