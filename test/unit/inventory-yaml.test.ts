// Issue 15: inventory YAML as users write it: merge keys, every schema issue at once, suggestions for typos.
import { describe, expect, it } from 'vitest';
import { ClawError } from '../../src/domain/errors.js';
import { BUILTIN_PLANS, loadBaseline } from '../../src/inventory/load-baseline.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';

const FILE = '/fleet/inventory.yaml';

function errorOf(text: string): ClawError {
  try {
    parseInventory(FILE, text);
  } catch (e) {
    expect(e).toBeInstanceOf(ClawError);
    return e as ClawError;
  }
  throw new Error('expected an error');
}

describe('YAML merge keys', () => {
  it("<<: *anchor merges a map into a node, the node's own keys winning", () => {
    const inv = parseInventory(
      FILE,
      `nodes:
  node02: &base
    host: node02.lan
    user: openclaw
    port: 2222
    agents: [main]
  node03:
    <<: *base
    host: node03.lan
  node04: { <<: *base, port: 22 }
`,
    );
    const n = (name: string) => inv.nodes.find((x) => x.name === name)!;
    expect(n('node03')).toMatchObject({ host: 'node03.lan', user: 'openclaw', port: 2222, agents: ['main'] });
    expect(n('node04')).toMatchObject({ host: 'node02.lan', user: 'openclaw', port: 22 });
  });

  it('merges a list of maps (<<: [*a, *b]), the first one winning', () => {
    const inv = parseInventory(FILE, 'nodes:\n  a: &a { user: alice, port: 2200 }\n  b: &b { user: bob, dataRoot: /srv }\n  c: { <<: [*a, *b] }\n');
    expect(inv.nodes.find((x) => x.name === 'c')).toMatchObject({ user: 'alice', port: 2200, dataRoot: '/srv' });
  });
});

describe('schema issues', () => {
  const text = `defaults:
  trnsport: ssh
nodes:
  a:
    hots: a.lan
    port: 99999
  b:
    agents: ["../x"]
`;

  it('are all reported at once, each naming its line and key', () => {
    const e = errorOf(text);
    expect(e.issues).toEqual([
      expect.stringMatching(/^line 2: defaults: Unrecognized key "trnsport" \(did you mean "transport"\?\)$/),
      expect.stringMatching(/^line 5: nodes\.a: Unrecognized key "hots" \(did you mean "host"\?\)$/),
      expect.stringMatching(/^line 6: nodes\.a\.port: /),
      expect.stringMatching(/^line 8: nodes\.b\.agents\[0\]: agent id must match/),
    ]);
    // still one line naming the file, every issue in it, in file order
    expect(e.oneLine()).not.toContain('\n');
    expect(e.oneLine()).toBe(`${FILE}: ${e.issues!.join('; ')}`);
  });

  it('a single issue stays one line; a far-off key gets no suggestion', () => {
    const e = errorOf('nodes:\n  a: { zzzzzz: 1 }\n');
    expect(e.oneLine()).toBe(`${FILE}: line 2: nodes.a: Unrecognized key "zzzzzz"`);
  });

  it('a misspelt baseline name gets the nearest one', async () => {
    await expect(loadBaseline('openclaw-clasic', [BUILTIN_PLANS])).rejects.toThrow(/baseline "openclaw-clasic" not found in .* \(did you mean "openclaw-classic"\?\)/);
  });
});
