import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClawError } from '../../src/domain/errors.js';
import { BaselineSchema } from '../../src/inventory/baseline-schema.js';
import { BUILTIN_PLANS, loadBaseline, baselineDirsFor } from '../../src/inventory/load-baseline.js';
import { limitNodes, loadInventory, parseInventory } from '../../src/inventory/load-inventory.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const FILE = '/fleet/inventory.yaml';

/** The one-line error parseInventory throws for `text` (fails the test when it does not throw). */
function inventoryError(text: string, file = FILE): string {
  try {
    parseInventory(file, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ClawError);
    const line = (e as ClawError).oneLine();
    expect(line).not.toContain('\n');
    return line;
  }
  throw new Error(`expected an error for:\n${text}`);
}

describe('inventory.yaml (the example at the repo root)', () => {
  it('loads, with 4 nodes resolved from defaults < group < node', async () => {
    const inv = await loadInventory(join(REPO, 'inventory.yaml'));
    expect(inv.file).toBe(join(REPO, 'inventory.yaml'));
    expect(inv.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(inv.nodes.map((n) => n.name)).toEqual(['t440', 'node02', 'node03', 'node04']);
    expect(inv.groups).toEqual({ prod: ['t440', 'node02', 'node03', 'node04'] });
    const t440 = inv.nodes[0]!;
    expect(t440).toMatchObject({
      transport: 'ssh',
      host: 't440.lan',
      user: 'openclaw',
      port: 22,
      dataRoot: '/openclaw-data',
      openclawHome: '~/.openclaw',
      baseline: 'openclaw-classic',
      overrides: { logging: { level: 'debug' } },
      groups: ['prod'],
    });
    expect(t440.agents).toHaveLength(15);
    expect(inv.nodes[1]).toMatchObject({ host: 'node02.lan', agents: ['assistant', 'coder', 'researcher'], overrides: {} });
  });

  it('its commented merge-key example works as written once uncommented', async () => {
    const text = await readFile(join(REPO, 'inventory.yaml'), 'utf8');
    const example = text.split('\n').filter((l) => /^ {2}# {3}node0[56]: /.test(l)).map((l) => l.replace(/^ {2}# {3}/, '  '));
    expect(example).toHaveLength(2);
    const inv = parseInventory(join(REPO, 'inventory.yaml'), `${text.trimEnd()}\n${example.join('\n')}\n`);
    expect(inv.nodes.find((n) => n.name === 'node06')).toMatchObject({ host: 'node06.lan', agents: ['assistant', 'support'], become: 'sudo' });
    expect(inv.nodes.find((n) => n.name === 'node05')).toMatchObject({ host: 'node05.lan' });
  });
});

describe('parseInventory errors name the file, the line and the key', () => {
  it('malformed YAML → error names file and line', () => {
    const msg = inventoryError('nodes:\n  a:\n    host: x\n   bad: indent\n');
    expect(msg).toMatch(/^\/fleet\/inventory\.yaml: line 4: /);
  });

  it('an unclosed flow sequence → error names file and a line', () => {
    expect(inventoryError('nodes:\n  a: [unclosed\n  b: {}\n')).toMatch(/^\/fleet\/inventory\.yaml: line \d+: /);
  });

  it('unknown key on a node (strict) → line of that key, key path and key name', () => {
    const msg = inventoryError('nodes:\n  a:\n    host: h\n    agnets: [x]\n');
    expect(msg).toBe('/fleet/inventory.yaml: line 4: nodes.a: Unrecognized key "agnets" (did you mean "agents"?)');
  });

  it('unknown top-level key (strict) → its line', () => {
    expect(inventoryError('version: 1\nnodez: {}\nnodes:\n  a: {}\n')).toMatch(/^\/fleet\/inventory\.yaml: line 2: \(root\): Unrecognized key "nodez"/);
  });

  it('unknown key in defaults → its line', () => {
    expect(inventoryError('defaults:\n  user: u\n  dataroot: /d\nnodes:\n  a: {}\n')).toMatch(/line 3: defaults: Unrecognized key "dataroot"/);
  });

  const HOSTILE = ['../x', 'a;rm -rf /', 'a/b', 'x\ny', '', 'a'.repeat(65), '-x', 'x y', '$(id)', '.'];
  it.each(HOSTILE.map((id) => [JSON.stringify(id.length > 20 ? `${id.slice(0, 4)}…(${id.length})` : id), id]))(
    'hostile agent id %s → rejected, naming nodes.<n>.agents[<i>] and the line',
    (_label, id) => {
      const text = `nodes:\n  n1:\n    host: h\n    agents:\n      - ok\n      - ${JSON.stringify(id)}\n`;
      expect(inventoryError(text)).toMatch(/^\/fleet\/inventory\.yaml: line 6: nodes\.n1\.agents\[1\]: agent id must match/);
    },
  );

  it('hostile ids in keepAgents are rejected too', () => {
    expect(inventoryError('nodes:\n  n1:\n    keepAgents: ["../main"]\n')).toMatch(/line 3: nodes\.n1\.keepAgents\[0\]: agent id must match/);
  });

  it('a 64-char agent id, digits, _ and - are accepted', () => {
    const id = 'a'.repeat(64);
    const inv = parseInventory(FILE, `nodes:\n  n1:\n    agents: [${id}, 0x, a_b-c]\n`);
    expect(inv.nodes[0]!.agents).toEqual([id, '0x', 'a_b-c']);
  });

  it('hostile node names are rejected', () => {
    expect(inventoryError('nodes:\n  "../n": {}\n')).toMatch(/nodes\.\.\.\/n.*name must match/);
    expect(inventoryError('nodes:\n  "a b": {}\n')).toMatch(/name must match/);
  });

  it('duplicate node names (duplicate YAML key) → error with the line of the second', () => {
    expect(inventoryError('nodes:\n  a: {}\n  b: {}\n  a: {}\n')).toMatch(/^\/fleet\/inventory\.yaml: line 4: .*unique/i);
  });

  it('duplicate agent ids (case-insensitive) → error', () => {
    expect(inventoryError('nodes:\n  n1:\n    agents: [a, b, a]\n')).toMatch(/line 3: nodes\.n1\.agents: agent "a" listed twice/);
    expect(inventoryError('nodes:\n  n1:\n    agents: [Coder, coder]\n')).toMatch(/nodes\.n1\.agents: agent "coder" listed twice/);
  });

  it('group referencing an unknown node → error naming the group entry', () => {
    expect(inventoryError('groups:\n  g:\n    nodes: [a, zz]\nnodes:\n  a: {}\n')).toMatch(/line 3: groups\.g\.nodes\[1\]: unknown node "zz"/);
  });

  it('group named like a node → error', () => {
    expect(inventoryError('groups:\n  a:\n    nodes: [a]\nnodes:\n  a: {}\n')).toMatch(/line 3: groups\.a: group name clashes with node "a"/);
  });

  it('local node without root → error naming the node key', () => {
    expect(inventoryError('defaults:\n  transport: local\nnodes:\n  a: {}\n')).toMatch(/^\/fleet\/inventory\.yaml: .*nodes\.a\.root: a local node needs a root dir/);
  });

  it.each([
    ['port 0', 'port: 0', /line 3: nodes\.a\.port: /],
    ['port 70000', 'port: 70000', /line 3: nodes\.a\.port: Too big/],
    ['port 22.5', 'port: 22.5', /line 3: nodes\.a\.port: /],
    ['port as a string', 'port: "22"', /line 3: nodes\.a\.port: .*expected number/],
    ['dataRoot with ..', 'dataRoot: /data/../etc', /line 3: nodes\.a\.dataRoot: must not contain "\.\."/],
    ['dataRoot ~/..', 'dataRoot: ~/../x', /line 3: nodes\.a\.dataRoot: must not contain "\.\."/],
    ['relative dataRoot', 'dataRoot: data', /line 3: nodes\.a\.dataRoot: must be an absolute path or start with ~\//],
    ['relative openclawHome', 'openclawHome: .openclaw', /line 3: nodes\.a\.openclawHome: must be an absolute path/],
    ['unknown transport', 'transport: ftp', /line 3: nodes\.a\.transport: /],
    ['host with a space', 'host: "a b"', /line 3: nodes\.a\.host: host must be/],
    ['user with a shell char', 'user: "x;y"', /line 3: nodes\.a\.user: user must be a plain user name/],
    ['baseline path', 'baseline: ../etc/passwd', /line 3: nodes\.a\.baseline: baseline must be a plan name/],
    ['owner with a shell char', 'owner: "x;y"', /line 3: nodes\.a\.owner: owner must be "user" or "user:group"/],
    ['owner with two colons', 'owner: "a:b:c"', /line 3: nodes\.a\.owner: owner must be "user" or "user:group"/],
  ])('%s → error with line and key path', (_name, field, re) => {
    expect(inventoryError(`nodes:\n  a:\n    ${field}\n`)).toMatch(re);
  });

  it('owner: the gateway\'s user (or user:group) from defaults, a group or the node; absent by default', () => {
    const inv = parseInventory(FILE, 'defaults:\n  owner: openclaw\ngroups:\n  g: { nodes: [b], owner: "svc:media" }\nnodes:\n  a: {}\n  b: {}\n  c: { owner: "1001:1001" }\n');
    expect(inv.nodes.map((n) => n.owner)).toEqual(['openclaw', 'svc:media', '1001:1001']);
    expect(parseInventory(FILE, 'nodes:\n  a: {}\n').nodes[0]!.owner).toBeUndefined();
  });

  it('no nodes → error', () => {
    expect(inventoryError('nodes: {}\n')).toMatch(/nodes: at least one node is needed/);
  });
});

describe('resolution: defaults < groups (in file order) < node', () => {
  const TEXT = `
defaults:
  user: duser
  port: 22
  dataRoot: /d
  keepAgents: [keepd]
  overrides:
    logging: { level: warn, file: /var/log/d.log }
groups:
  g1:
    nodes: [a, b]
    user: g1user
    port: 2201
    keepAgents: [keepg]
    overrides:
      logging: { file: /var/log/g1.log }
      browser: { headless: false }
  g2:
    nodes: [b]
    port: 2202
nodes:
  a:
    port: 2222
    agents: [Coder, ops]
    overrides:
      logging: { level: debug }
  b:
    port: 2203
  c:
    host: c.example
    transport: local
    root: nodes/c
`;
  const inv = () => parseInventory(FILE, TEXT);
  const node = (n: string) => inv().nodes.find((x) => x.name === n)!;

  it('the node wins over its groups, which win over defaults', () => {
    expect(node('a')).toMatchObject({ user: 'g1user', port: 2222, dataRoot: '/d', host: 'a', groups: ['g1'] });
  });

  it('of two groups that set a field differently, neither wins: the node must set it itself', () => {
    // issue 11: "the last group silently wins" was how a node got the wrong data root
    expect(node('b')).toMatchObject({ user: 'g1user', port: 2203, groups: ['g1', 'g2'] });
    expect(() => parseInventory(FILE, TEXT.replace('  b:\n    port: 2203\n', '  b: {}\n'))).toThrow(
      /^line 20: groups\.g2\.port: node b is in groups g1 and g2, which set port to different values \(2201, 2202\)/,
    );
  });

  it('defaults apply to a node in no group; built-in defaults fill the rest', () => {
    expect(node('c')).toMatchObject({ user: 'duser', port: 22, host: 'c.example', groups: [], openclawHome: '~/.openclaw', baseline: 'openclaw-classic', transport: 'local' });
    expect(node('a').transport).toBe('ssh');
  });

  it('overrides are merged per key across layers', () => {
    expect(node('a').overrides).toEqual({ logging: { level: 'debug', file: '/var/log/g1.log' }, browser: { headless: false } });
    expect(node('b').overrides).toEqual({ logging: { level: 'warn', file: '/var/log/g1.log' }, browser: { headless: false } });
    expect(node('c').overrides).toEqual({ logging: { level: 'warn', file: '/var/log/d.log' } });
  });

  it('keepAgents accumulate across layers; agent ids are lower-cased', () => {
    expect(node('a').keepAgents).toEqual(['keepd', 'keepg']);
    expect(node('c').keepAgents).toEqual(['keepd']);
    expect(node('a').agents).toEqual(['coder', 'ops']);
  });

  it('a relative local root is resolved against the inventory file dir', () => {
    expect(node('c').root).toBe('/fleet/nodes/c');
  });

  it('resolving does not share state between nodes', () => {
    const i = inv();
    (i.nodes[0]!.overrides.logging as Record<string, unknown>).level = 'mutated';
    expect(i.nodes[1]!.overrides.logging).toEqual({ level: 'warn', file: '/var/log/g1.log' });
    expect(i.nodes[2]!.overrides.logging).toEqual({ level: 'warn', file: '/var/log/d.log' });
  });
});

describe('--limit', () => {
  const inv = () =>
    parseInventory(FILE, 'groups:\n  web: { nodes: [web1, web2] }\n  db: { nodes: [db1] }\nnodes:\n  web1: {}\n  web2: {}\n  db1: {}\n  node.2: {}\n  node02: {}\n');
  const names = (limit: string | string[] | undefined) => limitNodes(inv(), limit).map((n) => n.name);

  it.each([
    ['no limit → every node', undefined, ['web1', 'web2', 'db1', 'node.2', 'node02']],
    ['empty limit → every node', '', ['web1', 'web2', 'db1', 'node.2', 'node02']],
    ['one name', 'db1', ['db1']],
    ['names keep inventory order', 'db1,web1', ['web1', 'db1']],
    ['spaces and empty terms ignored', ' db1 , ,web2 ', ['web2', 'db1']],
    ['a group', 'web', ['web1', 'web2']],
    ['a group and a name, overlapping', 'web,web2,db1', ['web1', 'web2', 'db1']],
    ['a * glob', 'web*', ['web1', 'web2']],
    ['a ? glob', 'web?', ['web1', 'web2']],
    ['a glob matching a group', 'd*', ['db1']],
    ['a dot is literal', 'node.2', ['node.2']],
    ['* matches all', '*', ['web1', 'web2', 'db1', 'node.2', 'node02']],
    // issue 15: picomatch (the one glob semantics), exclusions, repetition
    ['a brace set', 'web{1,2}', ['web1', 'web2']],
    ['a character class', '[wd]*1', ['web1', 'db1']],
    ['an exclusion alone: every node but it', '!web2', ['web1', 'db1', 'node.2', 'node02']],
    ['a group minus a node', 'web,!web1', ['web2']],
    ['repeated -l values add up', ['db1', 'web2'], ['web2', 'db1']],
    ['repeated -l with an exclusion (-l web -l !web2)', ['web', '!web2'], ['web1']],
    ['an excluded glob', ['*', '!node*'], ['web1', 'web2', 'db1']],
  ] as [string, string | string[] | undefined, string[]][])('%s', (_name, limit, expected) => {
    expect(names(limit)).toEqual(expected);
  });

  it.each(['nope', 'web1,nope', 'x*', 'web1.', '[xy]*', 'web1,!nope'])('unknown term %j → error naming the term and the inventory', (limit) => {
    let err: unknown;
    try {
      limitNodes(inv(), limit);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClawError);
    expect((err as ClawError).oneLine()).toMatch(/^\/fleet\/inventory\.yaml: --limit: no node or group matches "/);
    expect((err as ClawError).oneLine()).toContain(`"${limit.split(',').pop()!.replace(/^!/, '')}"`);
  });

  it('a typo gets the nearest name; a limit that leaves no node is an error', () => {
    expect(() => names('nod02')).toThrow(/no node or group matches "nod02" \(did you mean "node02"\?\)/);
    expect(() => names('!nde02')).toThrow(/"nde02" \(did you mean "node02"\?\)/);
    expect(() => names('web,!web')).toThrow(/--limit web,!web leaves no node/);
  });
});

describe('baselines', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clawfleet-baselines-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const GOOD = `name: NAME
openclaw: { shape: classic, minVersion: 2026.3.2, maxVersion: 2026.7.999 }
links:
  global:
    - { path: memory, target: memory }
  agent:
    - { path: sessions, target: sessions }
config:
  sections:
    - path: logging
      value: { level: info }
`;
  async function write(name: string, text: string): Promise<string> {
    const file = join(dir, `${name}.yaml`);
    await writeFile(file, text.replace('NAME', name));
    return file;
  }
  async function baselineError(name: string): Promise<string> {
    try {
      await loadBaseline(name, [dir]);
    } catch (e) {
      expect(e).toBeInstanceOf(ClawError);
      return (e as ClawError).oneLine();
    }
    throw new Error(`expected ${name} to be rejected`);
  }

  it('every shipped plans/*.yaml loads and validates', async () => {
    const files = (await readdir(join(REPO, 'plans'))).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(['openclaw-classic.yaml', 'openclaw-current.yaml']);
    for (const f of files) {
      const name = f.replace(/\.yaml$/, '');
      const b = await loadBaseline(name, [join(REPO, 'plans')]);
      expect(b.baseline.name).toBe(name);
      expect(b.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(BaselineSchema.safeParse(b.baseline).success).toBe(true);
      // classic makes the links; current retires them (its split: agentDir + logging.file)
      const links = name === 'openclaw-classic' ? b.baseline.links : b.baseline.retiredLinks;
      expect(links.global.map((l) => l.path)).toEqual(['memory', 'media', 'logs', 'browser']);
      if (name === 'openclaw-current') expect([b.baseline.links.global.length, b.baseline.links.agent.length, b.baseline.agentDir?.target]).toEqual([0, 0, 'agent']);
      expect(b.baseline.config.sections).toHaveLength(name === 'openclaw-current' ? 5 : 4); // current: session.store too
      expect(b.baseline.protected).toContain('agents/*/agent/auth-profiles.json');
    }
    expect(BUILTIN_PLANS).toBe(join(REPO, 'plans'));
  });

  it('the shipped baselines split the version range at 2026.8.1', async () => {
    const classic = (await loadBaseline('openclaw-classic', [BUILTIN_PLANS])).baseline;
    const current = (await loadBaseline('openclaw-current', [BUILTIN_PLANS])).baseline;
    expect(classic.openclaw).toMatchObject({ shape: 'classic', minVersion: '2026.3.2', maxVersion: '2026.7.999' });
    expect(current.openclaw).toMatchObject({ shape: 'current', minVersion: '2026.8.1' });
    expect(current.openclaw.maxVersion).toBeUndefined();
    expect(current.config.sections.map((s) => s.path)).toContain('memory.search');
    expect(classic.config.sections.map((s) => s.path)).toContain('agents.defaults.memorySearch');
  });

  it('a small valid baseline loads, with defaults filled in', async () => {
    await write('good', GOOD);
    const b = (await loadBaseline('good', [dir])).baseline;
    expect(b).toMatchObject({ dirMode: 0o755, config: { file: 'openclaw.json', mode: 0o600 }, orphans: { policy: 'quarantine', neverTouch: [] } });
  });

  it.each([
    ['link path with ..', 'links-dotdot', GOOD.replace('{ path: memory, target: memory }', '{ path: ../memory, target: memory }'), /line 5: links\.global\[0\]\.path: must not contain "\." or "\.\."/],
    ['link target with ..', 'target-dotdot', GOOD.replace('{ path: sessions, target: sessions }', '{ path: sessions, target: a/../../etc }'), /line 7: links\.agent\[0\]\.target: must not contain/],
    ['absolute link path', 'links-abs', GOOD.replace('{ path: memory, target: memory }', '{ path: /abs, target: memory }'), /line 5: links\.global\[0\]\.path: must be a relative path of plain names/],
    ['absolute link target', 'target-abs', GOOD.replace('{ path: memory, target: memory }', '{ path: memory, target: /etc }'), /line 5: links\.global\[0\]\.target: must be a relative path/],
    ['data dir with ..', 'datadir-dotdot', GOOD + 'dataDirs: [logs, ../etc]\n', /line 12: dataDirs\[1\]: must not contain/],
    ["data dir in clawfleet's state dir", 'datadir-state', GOOD + 'dataDirs: [.clawfleet/runs]\n', /line 12: dataDirs\[0\]: must not be under \.clawfleet/],
    ['config file with ..', 'config-dotdot', GOOD.replace('config:\n', 'config:\n  file: ../openclaw.json\n'), /line 9: config\.file: must not contain/],
    ['unknown key', 'unknown-key', GOOD + 'orphan: { policy: report }\n', /line 12: \(root\): Unrecognized key "orphan"/],
    ['bad version', 'bad-version', GOOD.replace('minVersion: 2026.3.2', 'minVersion: latest'), /line 2: openclaw\.minVersion: must look like/],
    ['malformed YAML', 'malformed', GOOD.replace('links:\n', 'links: [\n'), /line \d+: /],
  ])('%s → rejected with file and line', async (_name, name, text, re) => {
    const file = await write(name, text);
    const msg = await baselineError(name);
    expect(msg.startsWith(`${file}: `), msg).toBe(true);
    expect(msg).toMatch(re);
  });

  it('a name that does not match the file name → rejected', async () => {
    const file = await write('renamed', GOOD.replace('name: NAME', 'name: other'));
    const msg = await baselineError('renamed');
    expect(msg).toBe(`${file}: name: "other" does not match the file name "renamed"`);
  });

  it('a baseline not found → error naming the dirs searched', async () => {
    expect(await baselineError('does-not-exist')).toContain(`baseline "does-not-exist" not found in ${dir}`);
  });

  it('plans dirs: --plans alone, else ./plans beside the inventory then the built-in ones', () => {
    expect(baselineDirsFor('/x/inv.yaml', '/p')).toEqual(['/p']);
    expect(baselineDirsFor('/x/inv.yaml')).toEqual(['/x/plans', BUILTIN_PLANS]);
  });
});
