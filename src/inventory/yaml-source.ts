import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { ClawError } from '../domain/errors.js';
import { sha256Hex } from '../shared/manifest.js';
import { keysAt, suggest } from './suggest.js';

export interface LoadedYaml<T> {
  value: T;
  file: string;
  sha256: string;
  text: string;
}

function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number | null {
  for (let n = path.length; n >= 0; n--) {
    const node = path.length === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
    if (n === 0 && isNode(doc.contents) && doc.contents.range) return lc.linePos(doc.contents.range[0]).line;
  }
  return null;
}

/** An unknown key's own line (the issue's path is the map holding it, which may start lines earlier). */
function lineOfKey(doc: Document, lc: LineCounter, path: (string | number)[], key: string): number | null {
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return null;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return pair && isNode(pair.key) && pair.key.range ? lc.linePos(pair.key.range[0]).line : null;
}

function keyPath(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') || '(root)';
}

function issueLine(doc: Document, lc: LineCounter, schema: z.ZodType, issue: z.core.$ZodIssue): string {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
  const line = (unknownKey !== undefined ? lineOfKey(doc, lc, path, unknownKey) : null) ?? lineOf(doc, lc, path);
  let message: string;
  if (unknownKey !== undefined) {
    // zod says `Unrecognized key: "x"`, which the secret redaction (`key: "…"`) would hide: name it without the colon.
    const near = suggest(unknownKey, keysAt(schema, path));
    const more = issue.code === 'unrecognized_keys' && issue.keys.length > 1 ? ` (and ${issue.keys.slice(1).map((k) => JSON.stringify(k)).join(', ')})` : '';
    message = `Unrecognized key ${JSON.stringify(unknownKey)}${near ? ` (did you mean "${near}"?)` : ''}${more}`;
  } else if (issue.code === 'invalid_key') message = issue.issues[0]?.message ?? issue.message; // a bad record key (e.g. a node name): the useful message is one level down
  else message = issue.message;
  return `${line ? `line ${line}: ` : ''}${keyPath(issue.path)}: ${message}`;
}

/**
 * Parse YAML text and validate it; every error names file, line and key path, on one line, and every schema
 * issue is reported at once. YAML merge keys (`<<: *defaults`) are resolved, as users of Ansible write them.
 */
export function parseYaml<S extends z.ZodType>(file: string, text: string, schema: S): LoadedYaml<z.output<S>> {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => `line ${e.linePos?.[0]?.line ?? lc.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
    throw new ClawError('YAML', lines[0]!, { path: file, issues: lines });
  }
  const parsed = schema.safeParse(doc.toJS({ maxAliasCount: 1000 }));
  if (!parsed.success) {
    const lineNo = (l: string) => Number(/^line (\d+)/.exec(l)?.[1] ?? 0);
    const lines = [...new Set(parsed.error.issues.map((i) => issueLine(doc, lc, schema, i)))].sort((a, b) => lineNo(a) - lineNo(b));
    // Every issue at once, still one line: "line 2: defaults: …; line 5: nodes.a: …" (the JSON error lists them apart).
    throw new ClawError('SCHEMA', lines.join('; '), { path: file, issues: lines });
  }
  return { value: parsed.data, file, sha256: sha256Hex(text), text };
}

export async function loadYaml<S extends z.ZodType>(file: string, schema: S): Promise<LoadedYaml<z.output<S>>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ClawError('ENOENT', `cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { path: file });
  }
  return parseYaml(file, text, schema);
}
