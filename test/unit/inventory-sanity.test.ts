// Issue 11, item 5: inventory and baseline values checked for sense at load, each a one-line error naming
// file, line and key (the CLI side, with nothing written on any node, is in test/fixtures/hostile/).
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseline } from '../../src/inventory/load-baseline.js';
import { loadInventory, parseInventory } from '../../src/inventory/load-inventory.js';
import { findLiteralSecret } from '../../src/inventory/literal-secrets.js';

const FILE = '/fleet/inventory.yaml';
const err = (text: string) => {
  try {
    parseInventory(FILE, text);
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
};

describe('inventory sense', () => {
  it.each([
    ['data root inside the OpenClaw home', 'nodes:\n  a:\n    dataRoot: ~/.openclaw/agents/data\n', /^line 3: nodes\.a\.dataRoot: node a: data root .* overlap/],
    ['OpenClaw home inside the data root', 'defaults:\n  dataRoot: /srv\nnodes:\n  a:\n    openclawHome: /srv/oc\n', /^line 2: defaults\.dataRoot: node a: .*overlap/],
    ['the same dir for both', 'nodes:\n  a:\n    dataRoot: /d\n    openclawHome: /d\n', /overlap/],
    ['~ paths resolved with a local home', 'defaults:\n  transport: local\n  root: /r\n  home: /home/x\nnodes:\n  a:\n    dataRoot: /home/x/.openclaw/data\n', /overlap/],
    ['a data root of /', 'nodes:\n  a:\n    dataRoot: /\n', /^line 3: nodes\.a\.dataRoot: must not be "\/"/],
    ['a trailing slash', 'nodes:\n  a:\n    dataRoot: /srv/data/\n', /^line 3: nodes\.a\.dataRoot: "\/srv\/data\/" ends with "\/"/],
    ['a . segment in a group', 'groups:\n  g:\n    nodes: [a]\n    openclawHome: ~/./.openclaw\nnodes:\n  a: {}\n', /^line 4: groups\.g\.openclawHome: .*has a "\." segment/],
    ['two groups, two data roots', 'groups:\n  g1: { nodes: [a], dataRoot: /d1 }\n  g2: { nodes: [a], dataRoot: /d2 }\nnodes:\n  a: {}\n', /^line 3: groups\.g2\.dataRoot: node a is in groups g1 and g2/],
    ['two groups, two override values', 'groups:\n  g1: { nodes: [a], overrides: { logging: { level: warn } } }\n  g2: { nodes: [a], overrides: { logging: { level: debug } } }\nnodes:\n  a: {}\n', /^line 3: groups\.g2\.overrides\.logging\.level: node a is in groups g1 and g2/],
    ['a literal token in an override', 'nodes:\n  a:\n    overrides:\n      browser:\n        cdpToken: "f00dfeed1234"\n', /^line 5: nodes\.a\.overrides\.browser\.cdpToken: is a literal value under the secret-named key/],
    ['a key-shaped override value', 'nodes:\n  a:\n    overrides:\n      tools.media: { note: "xoxb-1234567890-abcdefghij" }\n', /^line 4: nodes\.a\.overrides\.tools\.media\.note: is shaped like a credential/],
  ])('refuses %s', (_, text, want) => {
    expect(err(text)).toMatch(want);
  });

  it.each([
    ['groups that agree', 'groups:\n  g1: { nodes: [a], dataRoot: /d1 }\n  g2: { nodes: [a], dataRoot: /d1 }\nnodes:\n  a: {}\n'],
    ['groups that disagree, the node decides', 'groups:\n  g1: { nodes: [a], dataRoot: /d1 }\n  g2: { nodes: [a], dataRoot: /d2 }\nnodes:\n  a: { dataRoot: /d3 }\n'],
    ['an auth mode and a ${VAR} token', 'nodes:\n  a:\n    overrides:\n      browser: { cdpAuth: "none", token: "${CDP_TOKEN}", authMode: token }\n'],
    ['a data root beside the home', 'nodes:\n  a:\n    dataRoot: ~/.openclaw-data\n'],
  ])('accepts %s', (_, text) => {
    expect(err(text)).toBe('no error');
  });

  it('a local node whose root dir does not exist is refused when loaded from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clawfleet-sanity-'));
    try {
      await mkdir(join(dir, 'nodes/a'), { recursive: true });
      const inv = 'defaults:\n  transport: local\nnodes:\n  a: { root: nodes/a }\n  b: { root: nodes/b }\n';
      await writeFile(join(dir, 'inventory.yaml'), inv);
      await expect(loadInventory(join(dir, 'inventory.yaml'))).rejects.toThrow(/^line 5: nodes\.b\.root: node b: root dir .*nodes\/b does not exist/);
      await writeFile(join(dir, 'inventory.yaml'), inv.replace('  b: { root: nodes/b }\n', ''));
      expect((await loadInventory(join(dir, 'inventory.yaml'))).nodes).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('literal secrets in baselines', () => {
  it('the shipped baselines hold none', async () => {
    for (const name of ['openclaw-classic', 'openclaw-current']) await expect(loadBaseline(name, [join(import.meta.dirname, '../../plans')])).resolves.toBeTruthy();
  });

  it.each([
    [{ gateway: { auth: { token: 'abc123' } } }, ['gateway', 'auth', 'token']],
    [{ providers: [{ apiKey: 'x' }] }, ['providers', 0, 'apiKey']],
    [{ pin: 1234 }, ['pin']],
    [{ url: 'https://hooks.slack.com/services/T0/B0/abcdefghijkl' }, ['url']],
  ])('finds %j', (value, path) => {
    expect(findLiteralSecret(value)?.path).toEqual(path);
  });

  it.each([[{ cdpAuth: 'none' }], [{ auth: { mode: 'token' } }], [{ token: '${GATEWAY_TOKEN}' }], [{ publicKey: 'ssh-ed25519 AAAA' }], [{ keyFile: '/etc/k.pem' }]])('lets %j through', (value) => {
    expect(findLiteralSecret(value)).toBeNull();
  });
});
