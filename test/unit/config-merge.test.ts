import { describe, it, expect } from 'vitest';
import JSON5 from 'json5';
import fc from 'fast-check';
import { ConfigParseError, mergeConfigText, parseConfig, type SectionDefault } from '../../src/json5-editor/merge.js';

const MEMORY: SectionDefault = { path: ['agents', 'defaults', 'memorySearch'], value: { enabled: true, provider: 'local' } };
const MEDIA: SectionDefault = { path: ['tools', 'media'], value: { audio: { enabled: true } } };
const LOGGING: SectionDefault = { path: ['logging'], value: { level: 'info', redactSensitive: 'tools' } };
const BASE = [MEMORY, MEDIA, LOGGING];

const ALL_ADDED = {
  agents: { defaults: { memorySearch: { enabled: true, provider: 'local' } } },
  tools: { media: { audio: { enabled: true } } },
  logging: { level: 'info', redactSensitive: 'tools' },
};

interface Case {
  name: string;
  input: string;
  sections?: SectionDefault[];
  /** JSON5.parse(result.text) must deep-equal this */
  expected: unknown;
  added?: string[];
  conflicts?: string[];
  includes?: string[];
  /** substrings (usually comments) that must survive */
  keep?: string[];
  /** result.text must start with this */
  prefix?: string;
  /** result.text must end with this */
  suffix?: string;
  /** exact result text */
  exact?: string;
  /** input must be a subsequence of the output (pure insertion) — default true */
  pureInsert?: boolean;
  check?: (out: string) => void;
}

function isSubsequence(small: string, big: string): boolean {
  let i = 0;
  for (let j = 0; j < big.length && i < small.length; j++) if (big[j] === small[i]) i++;
  return i === small.length;
}

const cases: Case[] = [
  {
    name: 'empty object {} gets every section, 2-space JSON',
    input: '{}',
    expected: ALL_ADDED,
    added: ['agents', 'tools', 'logging'],
    exact:
      '{\n  "agents": {\n    "defaults": {\n      "memorySearch": {\n        "enabled": true,\n        "provider": "local"\n' +
      '      }\n    }\n  },\n  "tools": {\n    "media": {\n      "audio": {\n        "enabled": true\n      }\n    }\n  },\n' +
      '  "logging": {\n    "level": "info",\n    "redactSensitive": "tools"\n  }\n}',
  },
  {
    name: 'empty object with a space { } and trailing newline',
    input: '{ }\n',
    sections: [LOGGING],
    expected: { logging: LOGGING.value },
    exact: '{\n  "logging": {\n    "level": "info",\n    "redactSensitive": "tools"\n  }\n}\n',
    pureInsert: false,
  },
  {
    name: 'nested missing keys are created inside existing intermediates',
    input: "{\n  agents: {\n    defaults: {\n      model: 'anthropic/claude',\n    },\n  },\n}\n",
    sections: [MEMORY],
    expected: { agents: { defaults: { model: 'anthropic/claude', memorySearch: { enabled: true, provider: 'local' } } } },
    added: ['agents.defaults.memorySearch'],
    prefix: "{\n  agents: {\n    defaults: {\n      model: 'anthropic/claude',\n",
    check: (out) => expect(out).toContain('      "memorySearch": {\n        "enabled": true,'),
  },
  {
    name: 'existing values that differ from defaults are kept, only missing siblings added',
    input: '{\n  logging: {\n    level: "debug"\n  }\n}\n',
    sections: [LOGGING],
    expected: { logging: { level: 'debug', redactSensitive: 'tools' } },
    added: ['logging.redactSensitive'],
    exact: '{\n  logging: {\n    level: "debug",\n    "redactSensitive": "tools"\n  }\n}\n',
  },
  {
    name: 'nothing missing -> identical text',
    input: "// my config\n{\n  logging: { level: 'warn', redactSensitive: 'off' },\n}\n",
    sections: [LOGGING],
    expected: { logging: { level: 'warn', redactSensitive: 'off' } },
    added: [],
    exact: "// my config\n{\n  logging: { level: 'warn', redactSensitive: 'off' },\n}\n",
  },
  {
    name: 'comment after the last member: comma goes before the comment',
    input: '{\n  // gateway settings\n  gateway: { port: 18789 } // default port\n}\n',
    sections: [LOGGING],
    expected: { gateway: { port: 18789 }, logging: LOGGING.value },
    keep: ['// gateway settings', '// default port'],
    check: (out) => expect(out).toContain('  gateway: { port: 18789 }, // default port\n  "logging": {'),
  },
  {
    name: 'trailing comma present stays and new member also gets one',
    input: '{\n  gateway: { port: 18789 },\n}\n',
    sections: [LOGGING],
    expected: { gateway: { port: 18789 }, logging: LOGGING.value },
    exact: '{\n  gateway: { port: 18789 },\n  "logging": {\n    "level": "info",\n    "redactSensitive": "tools"\n  },\n}\n',
  },
  {
    name: 'trailing comma followed by a comment on the same line',
    input: '{\n  a: 1, // one\n  b: 2, /* two */ // more\n}',
    sections: [{ path: ['c'], value: 3 }],
    expected: { a: 1, b: 2, c: 3 },
    exact: '{\n  a: 1, // one\n  b: 2, /* two */ // more\n  "c": 3,\n}',
  },
  {
    name: 'comment before the closing brace stays after the inserted members',
    input: '{\n  a: 1,\n  // b: 2,\n}\n',
    sections: [{ path: ['z'], value: true }],
    expected: { a: 1, z: true },
    exact: '{\n  a: 1,\n  "z": true,\n  // b: 2,\n}\n',
  },
  {
    name: 'empty object containing only a comment',
    input: '{\n  tools: {\n    // nothing yet\n  },\n}\n',
    sections: [MEDIA],
    expected: { tools: { media: { audio: { enabled: true } } } },
    added: ['tools.media'],
    keep: ['// nothing yet'],
    prefix: '{\n  tools: {\n    // nothing yet\n    "media": {\n',
    suffix: '\n  },\n}\n',
  },
  {
    name: 'single-line object with a block comment inside and a multi-line comment after the last value',
    input: '{\n  a: { /* empty */ },\n  b: 1 /* spans\n  lines */\n}',
    sections: [{ path: ['a', 'x'], value: 1 }, { path: ['c'], value: 'C' }],
    expected: { a: { x: 1 }, b: 1, c: 'C' },
    keep: ['/* empty */', '/* spans\n  lines */'],
    check: (out) => expect(out).toContain('b: 1, /* spans\n  lines */\n  "c": "C"\n}'),
  },
  {
    name: 'single-line object: inserted inline',
    input: "{ logging: { level: 'warn' } }",
    sections: [LOGGING],
    expected: { logging: { level: 'warn', redactSensitive: 'tools' } },
    exact: "{ logging: { level: 'warn', \"redactSensitive\": \"tools\" } }",
  },
  {
    name: 'single-line object with trailing comma',
    input: '{ a: 1, }',
    sections: [{ path: ['b'], value: { c: [1, 2] } }],
    expected: { a: 1, b: { c: [1, 2] } },
    exact: '{ a: 1, "b": { "c": [1, 2] }, }',
  },
  {
    name: 'closing brace on the last member line',
    input: '{\n  a: 1,\n  b: 2 }',
    sections: [{ path: ['c'], value: 3 }],
    expected: { a: 1, b: 2, c: 3 },
    exact: '{\n  a: 1,\n  b: 2,\n  "c": 3 }',
  },
  {
    name: 'CRLF line endings are matched',
    input: '{\r\n  logging: {\r\n    level: "debug", // keep\r\n  },\r\n}\r\n',
    expected: { ...ALL_ADDED, logging: { level: 'debug', redactSensitive: 'tools' } },
    added: ['agents', 'tools', 'logging.redactSensitive'],
    keep: ['// keep'],
    prefix: '{\r\n  logging: {\r\n    level: "debug", // keep\r\n    "redactSensitive": "tools",\r\n  },\r\n',
    check: (out) => expect(/(^|[^\r])\n/.test(out)).toBe(false),
  },
  {
    name: 'tab indentation is matched',
    input: '{\n\tagents: {\n\t\tdefaults: {}\n\t}\n}\n',
    sections: [MEMORY],
    expected: { agents: { defaults: { memorySearch: MEMORY.value } } },
    exact: '{\n\tagents: {\n\t\tdefaults: {\n\t\t\t"memorySearch": {\n\t\t\t\t"enabled": true,\n\t\t\t\t"provider": "local"\n\t\t\t}\n\t\t}\n\t}\n}\n',
  },
  {
    name: '4-space indentation is matched',
    input: '{\n    "gateway": {\n        "port": 18789\n    }\n}\n',
    sections: [LOGGING],
    expected: { gateway: { port: 18789 }, logging: LOGGING.value },
    exact:
      '{\n    "gateway": {\n        "port": 18789\n    },\n    "logging": {\n        "level": "info",\n        "redactSensitive": "tools"\n    }\n}\n',
  },
  {
    name: 'unquoted, single-quoted and double-quoted keys are recognised as present',
    input: "{\n  'logging': { level: 'warn' },\n  tools: { \"media\": { audio: { enabled: false } } },\n}\n",
    sections: [LOGGING, MEDIA],
    expected: { logging: { level: 'warn', redactSensitive: 'tools' }, tools: { media: { audio: { enabled: false } } } },
    added: ['logging.redactSensitive'],
  },
  {
    name: 'unicode-escaped identifier key counts as present',
    input: '{ \\u006cogging: { level: "warn", redactSensitive: "off" } }',
    sections: [LOGGING],
    expected: { logging: { level: 'warn', redactSensitive: 'off' } },
    added: [],
    exact: '{ \\u006cogging: { level: "warn", redactSensitive: "off" } }',
  },
  {
    name: 'strings containing braces, //, /* and escaped quotes do not confuse the scanner',
    input: '{\n  a: "}//{ /* \\" }",\n  b: \'it\\\'s } // here\',\n  "c}": { d: "{" }\n}\n',
    sections: [{ path: ['c}', 'e'], value: 'x' }, { path: ['f'], value: '//' }],
    expected: { a: '}//{ /* " }', b: "it's } // here", 'c}': { d: '{', e: 'x' }, f: '//' },
    added: ['c}.e', 'f'],
  },
  {
    name: '$include on the section object: treated as present',
    input: "{\n  tools: { $include: './tools.json5' },\n}\n",
    sections: [MEDIA, LOGGING],
    expected: { tools: { $include: './tools.json5' }, logging: LOGGING.value },
    includes: ['tools.media'],
    added: ['logging'],
  },
  {
    name: '$include on an ancestor skips the section',
    input: "{\n  agents: {\n    $include: './agents.json5',\n  },\n}\n",
    sections: [MEMORY],
    expected: { agents: { $include: './agents.json5' } },
    includes: ['agents.defaults.memorySearch'],
    added: [],
    exact: "{\n  agents: {\n    $include: './agents.json5',\n  },\n}\n",
  },
  {
    name: '$include at the root skips everything',
    input: '{ "$include": "./base.json5", gateway: { port: 1 } }',
    expected: { $include: './base.json5', gateway: { port: 1 } },
    includes: ['agents.defaults.memorySearch', 'tools.media', 'logging'],
    added: [],
    exact: '{ "$include": "./base.json5", gateway: { port: 1 } }',
  },
  {
    name: '$include inside a section value is reported at its own path',
    input: "{ tools: { media: { audio: { $include: './audio.json5' } } } }",
    sections: [{ path: ['tools', 'media'], value: { audio: { enabled: true }, video: { enabled: false } } }],
    expected: { tools: { media: { audio: { $include: './audio.json5' }, video: { enabled: false } } } },
    includes: ['tools.media.audio'],
    added: ['tools.media.video'],
  },
  {
    name: '${VAR} substitutions stay untouched',
    input: '{\n  logging: { level: "${LOG_LEVEL}" },\n  gateway: { token: "${GATEWAY_TOKEN}" },\n}\n',
    sections: [LOGGING, { path: ['gateway', 'token'], value: 'default' }],
    expected: { logging: { level: '${LOG_LEVEL}', redactSensitive: 'tools' }, gateway: { token: '${GATEWAY_TOKEN}' } },
    keep: ['"${LOG_LEVEL}"', '"${GATEWAY_TOKEN}"'],
    added: ['logging.redactSensitive'],
  },
  {
    name: 'conflict: a string where an object is expected is reported and left alone',
    input: "{\n  logging: 'verbose',\n}\n",
    sections: [LOGGING],
    expected: { logging: 'verbose' },
    conflicts: ['logging'],
    added: [],
    exact: "{\n  logging: 'verbose',\n}\n",
  },
  {
    name: 'conflicts: null, array and ${VAR} where objects are expected; intermediate conflict too',
    input: '{ logging: null, tools: "${TOOLS}", agents: { defaults: [1, 2] } }',
    expected: { logging: null, tools: '${TOOLS}', agents: { defaults: [1, 2] } },
    conflicts: ['agents.defaults', 'tools', 'logging'],
    added: [],
  },
  {
    name: 'arrays are values and never merged into',
    input: "{\n  tools: {\n    allow: ['exec'],\n  },\n}\n",
    sections: [{ path: ['tools'], value: { allow: ['exec', 'read'], deny: [] } }],
    expected: { tools: { allow: ['exec'], deny: [] } },
    added: ['tools.deny'],
  },
  {
    name: 'hex, Infinity, NaN, leading dot and explicit plus numbers survive byte-for-byte',
    input: '{ port: 0x1F, max: +Infinity, ratio: .5, nope: NaN, neg: -0xA }',
    sections: [{ path: ['extra'], value: { n: 1.5e300, s: 'line\nbreak \u2028' } }],
    expected: { port: 31, max: Infinity, ratio: 0.5, nope: NaN, neg: -10, extra: { n: 1.5e300, s: 'line\nbreak \u2028' } },
    prefix: '{ port: 0x1F, max: +Infinity, ratio: .5, nope: NaN, neg: -0xA, ',
  },
  {
    name: 'duplicate keys: the last one (which JSON5 keeps) is merged into',
    input: "{\n  logging: 'x',\n  logging: {\n    level: 'warn',\n  },\n}\n",
    sections: [LOGGING],
    expected: { logging: { level: 'warn', redactSensitive: 'tools' } },
    prefix: "{\n  logging: 'x',\n  logging: {\n    level: 'warn',\n    \"redactSensitive\": \"tools\",\n",
  },
  {
    name: 'comment-like text inside comments and comments between tokens',
    input: '/* header /* not nested // still header */\n{\n  // has /* no block\n  a /* k */ : /* v */ 1 /* after */,\n}\n// trailer\n',
    sections: [{ path: ['b'], value: null }],
    expected: { a: 1, b: null },
    keep: ['/* header /* not nested // still header */', '// has /* no block', '/* k */', '/* v */', '/* after */', '// trailer'],
    suffix: '\n}\n// trailer\n',
  },
  {
    name: 'last member is a nested multi-line object',
    input: '{\n  gateway: {\n    port: 1,\n    bind: "loopback"\n  }\n}',
    sections: [{ path: ['gateway', 'mode'], value: 'local' }, { path: ['z'], value: [] }],
    expected: { gateway: { port: 1, bind: 'loopback', mode: 'local' }, z: [] },
    exact: '{\n  gateway: {\n    port: 1,\n    bind: "loopback",\n    "mode": "local"\n  },\n  "z": []\n}',
  },
  {
    name: 'overlapping sections: second lands inside what the first inserted',
    input: '{}',
    sections: [
      { path: ['agents', 'defaults'], value: { workspace: '~/w' } },
      { path: ['agents', 'defaults', 'memorySearch'], value: { enabled: true } },
    ],
    expected: { agents: { defaults: { workspace: '~/w', memorySearch: { enabled: true } } } },
    added: ['agents', 'agents.defaults.memorySearch'],
  },
  {
    name: 'BOM and leading comments before the root object',
    input: '\uFEFF// OpenClaw\n{\n  a: 1\n}\n',
    sections: [{ path: ['b'], value: { c: {} } }],
    expected: { a: 1, b: { c: {} } },
    prefix: '\uFEFF// OpenClaw\n{\n  a: 1,\n  "b": {\n    "c": {}\n  }\n}',
  },
  {
    name: 'no sections -> unchanged',
    input: '{ a: 1 /* x */ }',
    sections: [],
    expected: { a: 1 },
    exact: '{ a: 1 /* x */ }',
    added: [],
  },
];

describe('mergeConfigText fixtures', () => {
  it('has enough cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  for (const c of cases) {
    it(c.name, () => {
      const sections = c.sections ?? BASE;
      const r = mergeConfigText(c.input, sections);
      expect(JSON5.parse(r.text)).toEqual(c.expected);
      if (c.exact !== undefined) expect(r.text).toBe(c.exact);
      if (c.prefix !== undefined) expect(r.text.startsWith(c.prefix)).toBe(true);
      if (c.suffix !== undefined) expect(r.text.endsWith(c.suffix)).toBe(true);
      for (const k of c.keep ?? []) expect(r.text).toContain(k);
      if (c.added) expect(r.added).toEqual(c.added);
      expect(r.conflicts.map((x) => x.path).sort()).toEqual([...(c.conflicts ?? [])].sort());
      expect(r.includes.sort()).toEqual([...(c.includes ?? [])].sort());
      if (r.added.length === 0) expect(r.text).toBe(c.input);
      if (c.pureInsert !== false) expect(isSubsequence(c.input, r.text)).toBe(true);
      c.check?.(r.text);
      // idempotent
      const again = mergeConfigText(r.text, sections);
      expect(again.text).toBe(r.text);
      expect(again.added).toEqual([]);
    });
  }
});

describe('conflict and parse errors', () => {
  it('conflict message names what was found', () => {
    const r = mergeConfigText("{ logging: 'verbose' }", [LOGGING]);
    expect(r.conflicts).toEqual([{ path: 'logging', message: expect.stringContaining('a string') }]);
  });

  it('invalid JSON5 -> ConfigParseError with line and column', () => {
    const bad = '{\n  a: 1,\n  b;2\n}';
    let err: unknown;
    try {
      mergeConfigText(bad, BASE);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigParseError);
    const pe = err as ConfigParseError;
    expect(pe.line).toBe(3);
    expect(pe.column).toBe(4);
    expect(pe.message).toBe("invalid JSON5 at 3:4: unexpected character ';'");
    expect(pe.message).not.toContain('\n');
  });

  it.each(['', '{ a: 1', '{ a: 1 } }', "{ 'a: 1 }"])('invalid text %j throws ConfigParseError', (t) => {
    expect(() => mergeConfigText(t, BASE)).toThrow(ConfigParseError);
    expect(() => parseConfig(t)).toThrow(/^invalid JSON5 at \d+:\d+: /);
  });

  it.each(['[]', '1', '"x"', 'null', '  // c\n  true'])('non-object root %j throws', (t) => {
    expect(() => mergeConfigText(t, BASE)).toThrow(ConfigParseError);
    expect(() => parseConfig(t)).toThrow('root is not an object');
  });

  it('root error reports where the root value starts', () => {
    try {
      parseConfig('// c\n  [1]');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigParseError);
      expect([(e as ConfigParseError).line, (e as ConfigParseError).column]).toEqual([2, 3]);
    }
  });

  it('parseConfig returns the value', () => {
    expect(parseConfig("{ meta: { lastTouchedVersion: '2026.1.5' } }")).toEqual({ meta: { lastTouchedVersion: '2026.1.5' } });
  });
});

// ---- property-style: random JSON documents and defaults ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const KEYS = ['a', 'b', 'c', 'd e', 'q"t', '}', '//', '$x'];

const { obj } = fc.letrec<{ json: Json; obj: Record<string, Json>; leaf: Json }>((tie) => ({
  leaf: fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -1000, max: 1000 }),
    fc.constantFrom('', 'x', '}{', '// no', "it's", '${VAR}', 'a\nb'),
  ),
  json: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('leaf'), tie('obj'), fc.array(tie('leaf'), { maxLength: 3 })),
  obj: fc.dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 4 }),
}));

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(target: Record<string, unknown>, def: Record<string, unknown>): void {
  for (const [k, dv] of Object.entries(def)) {
    if (!Object.prototype.hasOwnProperty.call(target, k)) target[k] = clone(dv);
    else if (isObj(dv) && isObj(target[k])) deepMerge(target[k] as Record<string, unknown>, dv);
  }
}

function wrap(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;
}

describe('mergeConfigText properties', () => {
  it('parse(merge(text)) equals a reference deep merge, insertion only, idempotent', () => {
    const section = fc.record({ path: fc.array(fc.constantFrom(...KEYS), { maxLength: 2 }), value: obj });
    fc.assert(
      fc.property(obj, fc.array(section, { maxLength: 3 }), fc.constantFrom(2, 4, '\t'), fc.boolean(), (doc, sections, indent, crlf) => {
        let text = JSON.stringify(doc, null, indent);
        if (crlf) text = text.replace(/\n/g, '\r\n');
        const expected = clone(doc) as Record<string, unknown>;
        for (const s of sections) deepMerge(expected, wrap(s.path, s.value));

        const r = mergeConfigText(text, sections);
        expect(JSON5.parse(r.text)).toEqual(expected);
        expect(isSubsequence(text, r.text)).toBe(true);
        if (crlf && text.includes('\n')) expect(/(^|[^\r])\n/.test(r.text)).toBe(false);
        const again = mergeConfigText(r.text, sections);
        expect(again.text).toBe(r.text);
        expect(again.added).toEqual([]);
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('same for randomly styled JSON5 (comments, quoting, trailing commas, inline objects)', () => {
    const section = fc.record({ path: fc.array(fc.constantFrom(...KEYS), { maxLength: 2 }), value: obj });
    fc.assert(
      fc.property(obj, fc.array(section, { maxLength: 3 }), fc.integer(), (doc, sections, seed) => {
        const text = styledJson5(doc, seed);
        expect(JSON5.parse(text)).toEqual(doc);
        const expected = clone(doc) as Record<string, unknown>;
        for (const s of sections) deepMerge(expected, wrap(s.path, s.value));

        const r = mergeConfigText(text, sections);
        expect(JSON5.parse(r.text)).toEqual(expected);
        for (const marker of COMMENT_MARKERS) expect(count(r.text, marker)).toBe(count(text, marker));
        const again = mergeConfigText(r.text, sections);
        expect(again.text).toBe(r.text);
        expect(again.added).toEqual([]);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});

const COMMENT_MARKERS = ['// note }', '/* b{ */', '/* c */', '// about', '// end', '// header', '// trailer', '/* none */', '// empty', '/* h */'];

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Print `doc` as JSON5 in a random but valid style. */
function styledJson5(doc: Json, seed: number): string {
  const r = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const unit = pick(['  ', '    ', '\t']);
  const key = (k: string): string =>
    /^[A-Za-z_$][\w$]*$/.test(k) && r() < 0.5 ? k : r() < 0.5 ? JSON.stringify(k) : `'${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const str = (s: string): string => (r() < 0.5 ? JSON.stringify(s) : `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`);
  const value = (v: Json, indent: string): string => {
    if (typeof v === 'string') return str(v);
    if (typeof v === 'number') return r() < 0.2 && Number.isInteger(v) && v >= 0 ? `0x${v.toString(16)}` : String(v);
    if (v === null || typeof v === 'boolean') return String(v);
    if (Array.isArray(v)) return `[${v.map((x) => value(x, indent)).join(', ')}${v.length && r() < 0.3 ? ',' : ''}]`;
    const entries = Object.entries(v);
    const trailing = r() < 0.5 ? ',' : '';
    if (entries.length === 0) return pick(['{}', '{ }', '{ /* none */ }', `{\n${indent + unit}// empty\n${indent}}`]);
    if (r() < 0.25) return `{ ${entries.map(([k, x]) => `${key(k)}: ${value(x, indent)}`).join(', ')}${trailing} }`;
    const inner = indent + unit;
    const lines = entries.map(([k, x], i) => {
      const last = i === entries.length - 1;
      const comma = last ? trailing : ',';
      const note = pick(['', '', ' // note }', ' /* b{ */']);
      const before = r() < 0.2 ? `${inner}// about ${k.replace(/\n/g, ' ')}\n` : '';
      return `${before}${inner}${key(k)}:${pick([' ', ' /* c */ '])}${value(x, inner)}${comma}${note}`;
    });
    const closing = r() < 0.2 ? `\n${inner}// end` : '';
    return `{\n${lines.join('\n')}${closing}\n${indent}}`;
  };
  return pick(['', '// header\n', '/* h */ ']) + value(doc, '') + pick(['', '\n', '\n// trailer\n']);
}
