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
const PURE = ['shared', 'planner', 'domain', 'json5-editor', 'render', 'facts', 'rollout', 'check'];

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

// Which folder of src/ may import which: the pipeline reads top to bottom (inventory → facts → planner →
// actions → executor), `shared` is pure code every layer may use, `terminal` holds the terminal libraries,
// `fleet` is the per-node pipeline (load → connect → gather → plan) that commands and watch drive. A folder
// missing from the table, or an import the table does not allow, fails; so does any cycle between folders.
const MAY_IMPORT: Record<string, readonly string[]> = {
  domain: [],
  shared: ['domain'],
  'json5-editor': ['domain', 'shared'],
  inventory: ['domain', 'shared'],
  transport: ['domain', 'shared'],
  'openclaw-store': ['domain', 'shared'],
  demo: ['domain', 'shared'],
  facts: ['domain', 'shared', 'inventory', 'transport', 'openclaw-store'],
  planner: ['domain', 'shared', 'inventory', 'json5-editor'],
  render: ['domain', 'shared', 'planner'],
  terminal: ['domain', 'shared', 'render'],
  check: ['domain', 'shared', 'inventory', 'planner', 'json5-editor'],
  'plan-file': ['domain', 'shared', 'inventory', 'planner', 'render'],
  rollout: ['domain', 'shared', 'inventory', 'check', 'plan-file', 'render'],
  executor: ['domain', 'shared', 'inventory', 'transport', 'json5-editor', 'planner', 'plan-file', 'render'],
  sentinel: ['domain', 'shared', 'transport', 'facts', 'openclaw-store'],
  fleet: ['domain', 'shared', 'inventory', 'transport', 'facts', 'planner', 'rollout', 'terminal'],
  watch: ['domain', 'shared', 'inventory', 'transport', 'check', 'executor', 'fleet', 'render', 'sentinel', 'terminal'],
  commands: ['domain', 'shared', 'inventory', 'transport', 'facts', 'planner', 'render', 'terminal', 'check', 'plan-file', 'rollout', 'executor', 'sentinel', 'fleet', 'watch', 'demo', 'json5-editor'],
  '.': ['commands', 'domain', 'shared', 'render', 'terminal'], // src/cli.ts
};

/** Terminal libraries (colour, live views, prompts): only src/terminal (and the commands above it) use them. */
const TERMINAL_LIBS = [/^colorette$/, /^listr2/, /^log-update$/, /^chalk$/, /^ora$/, /^cli-/, /^ansi-/, /^node:(tty|readline)$/, /^(tty|readline)$/];

function allImports(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const re = /^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/gms;
  return [...text.matchAll(re)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '.');

/** Folder → folders it imports, with one example import per edge. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const f of files('.')) {
    const from = folderOf(f);
    if (!graph.has(from)) graph.set(from, new Map());
    for (const spec of allImports(f)) {
      if (!spec.startsWith('.')) continue;
      const to = folderOf(join(f, '..', spec).replace(/\\/g, '/'));
      if (to !== from && !graph.get(from)!.has(to)) graph.get(from)!.set(to, `${f} imports ${spec}`);
    }
  }
  return graph;
}

/** The folders on a cycle (strongly connected components of more than one folder), by Tarjan. */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [], on = new Set<string>(), out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      if (c.length > 1) out.push(c.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('architecture: which folder may import which', () => {
  const graph = folderGraph();

  it('every folder of src/ is in the table, and the table names only folders that exist', () => {
    expect([...graph.keys()].filter((d) => !(d in MAY_IMPORT))).toEqual([]);
    expect(Object.keys(MAY_IMPORT).filter((d) => !graph.has(d))).toEqual([]);
  });

  it.each(Object.keys(MAY_IMPORT))('src/%s imports only the folders the table allows', (dir) => {
    const offenders = [...(graph.get(dir) ?? new Map<string, string>())].filter(([to]) => !MAY_IMPORT[dir]!.includes(to)).map(([, example]) => example);
    expect(offenders).toEqual([]);
  });

  it('no cycle between folders, in the real import graph', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('the table itself has no cycle', () => {
    const table = new Map(Object.entries(MAY_IMPORT).map(([d, to]) => [d, new Map(to.map((t) => [t, '']))]));
    expect(cycles(table)).toEqual([]);
  });

  it('the cycle check finds a cycle (so that it can fail)', () => {
    const g = new Map([['a', new Map([['b', '']])], ['b', new Map([['c', '']])], ['c', new Map([['a', '']])]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
  });

  it('no terminal library outside src/terminal and src/commands (render stays text in, text out)', () => {
    const offenders = files('.')
      .filter((f) => !/^(terminal|commands)\//.test(f))
      .flatMap((f) => allImports(f).filter((i) => TERMINAL_LIBS.some((re) => re.test(i))).map((i) => `${f} imports ${i}`));
    expect(offenders).toEqual([]);
  });
});
