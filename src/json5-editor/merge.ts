/**
 * Add the baseline's missing config sections to an OpenClaw JSON5 file, text in / text out.
 * Only absent keys are inserted; every existing byte (comments, formatting, order, values) stays.
 */
import JSON5 from 'json5';
import { applyEdits, detectFormat, insertMembers, type Edit } from './insert.js';
import { findMember, scanDocument, skipTrivia, type ObjectNode } from './scan.js';
import { isPlainObject, serializable, type Format } from './serialize.js';

export interface SectionDefault {
  path: string[];
  value: unknown;
  /**
   * What resolved `$include`s define, per directive location (dotted key path, "" = root): the dotted key
   * paths (relative to that location) the included files hold. A location not listed here is unresolved
   * and everything under it counts as present.
   */
  included?: { at: string; keys: string[] }[];
  /**
   * The one exception to "only absent keys": the section's own `key` is replaced by the section's value when
   * the file holds one of the strings in `from` there (an OpenClaw default clawfleet supersedes, e.g. an
   * `agentDir` OpenClaw wrote with its default path). Any other value is kept.
   */
  replace?: { key: string; from: string[] };
}

/** Presence tree from dotted key paths: `true` marks a leaf (a value that is not an object). */
type Presence = { [k: string]: Presence | true };

function presenceOf(keys: string[]): Presence {
  const root: Presence = {};
  for (const k of keys) {
    let cur: Presence = root;
    const parts = k.split('.');
    parts.forEach((p, i) => {
      if (i === parts.length - 1) {
        if (!(p in cur)) cur[p] = true;
      } else {
        const next = cur[p];
        cur = next === undefined || next === true ? (cur[p] = {}) : next;
      }
    });
  }
  return root;
}

export interface MergeResult {
  text: string;
  added: string[];
  conflicts: { path: string; message: string }[];
  includes: string[];
}

export class ConfigParseError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(message: string, line: number, column: number) {
    super(message);
    this.name = 'ConfigParseError';
    this.line = line;
    this.column = column;
  }
}

function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, pos).split(/\r\n|[\n\r\u2028\u2029]/);
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

/** Parse an openclaw.json text; throws ConfigParseError for invalid JSON5 or a non-object root. */
export function parseConfig(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (e) {
    const err = e as { message?: unknown; lineNumber?: unknown; columnNumber?: unknown };
    const line = typeof err.lineNumber === 'number' ? err.lineNumber : 1;
    const column = typeof err.columnNumber === 'number' ? err.columnNumber : 1;
    const detail = String(err.message ?? e)
      .replace(/^JSON5:\s*/, '')
      .replace(/\s+at \d+:\d+\s*$/, '')
      .replace(/^invalid /, 'unexpected ')
      .replace(/\s*[\r\n]+\s*/g, ' ');
    throw new ConfigParseError(`invalid JSON5 at ${line}:${column}: ${detail}`, line, column);
  }
  if (!isPlainObject(value)) {
    const { line, column } = lineColumn(text, skipTrivia(text, 0));
    throw new ConfigParseError('root is not an object', line, column);
  }
  return value;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

interface Walk {
  text: string;
  fmt: Format;
  sectionPath: string[];
  edits: Edit[];
  result: MergeResult;
  included: Map<string, Presence>;
  replace?: SectionDefault['replace'];
}

/** The part of `def` that `have` (what included files define) lacks; null when nothing is missing. */
function missingFrom(def: Record<string, unknown>, have: Presence, path: string[], w: Walk): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  for (const [k, dv] of Object.entries(def)) {
    if (!serializable(dv)) continue;
    const p = [...path, k];
    const h = have[k];
    if (h === undefined) {
      out[k] = dv;
      w.result.added.push(p.join('.'));
    } else if (isPlainObject(dv) && h !== true) {
      const sub = missingFrom(dv, h, p, w);
      if (sub) out[k] = sub;
    } else if (isPlainObject(dv) && h === true) {
      w.result.conflicts.push({ path: p.join('.'), message: 'baseline expects an object but an $include defines another value; left unchanged' });
    } else {
      w.result.includes.push(p.join('.'));
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}

function isPrefix(prefix: string[], path: string[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => p === path[i]);
}

function walk(w: Walk, node: ObjectNode, file: Record<string, unknown>, def: Record<string, unknown>, path: string[], inc?: Presence): void {
  let overlay = inc;
  if (Object.prototype.hasOwnProperty.call(file, '$include')) {
    const resolved = w.included.get(path.join('.'));
    if (!resolved) {
      // An unresolved include: its subtree counts as present; report the section (or sub-key) we skipped.
      w.result.includes.push((isPrefix(path, w.sectionPath) ? w.sectionPath : path).join('.'));
      return;
    }
    overlay = overlay ? { ...overlay, ...resolved } : resolved;
  }
  const missing: [string, unknown][] = [];
  for (const [key, dv] of Object.entries(def)) {
    if (!serializable(dv)) continue;
    const childPath = [...path, key];
    const fromInclude = overlay?.[key];
    if (!Object.prototype.hasOwnProperty.call(file, key)) {
      if (fromInclude === undefined) {
        missing.push([key, dv]);
        w.result.added.push(childPath.join('.'));
      } else if (isPlainObject(dv) && fromInclude !== true) {
        // Defined by an included file: add, as a sibling (merged after the include), only what it lacks.
        const sub = missingFrom(dv, fromInclude, childPath, w);
        if (sub) missing.push([key, sub]);
      } else if (isPlainObject(dv)) {
        w.result.conflicts.push({ path: childPath.join('.'), message: 'baseline expects an object but an $include defines another value; left unchanged' });
      } else {
        w.result.includes.push(childPath.join('.'));
      }
      continue;
    }
    const fvHere = file[key];
    if (w.replace && w.replace.key === key && path.length === w.sectionPath.length && isPrefix(w.sectionPath, path) && typeof fvHere === 'string' && w.replace.from.includes(fvHere) && fvHere !== dv) {
      const m = findMember(node, key);
      if (m && m.value.kind === 'other') {
        w.edits.push({ start: m.value.start, end: m.value.end, text: JSON.stringify(dv) });
        w.result.added.push(childPath.join('.'));
      }
      continue;
    }
    if (!isPlainObject(dv)) continue; // present with any value: keep it
    const fv = file[key];
    const member = findMember(node, key);
    if (isPlainObject(fv) && member?.value.kind === 'object') {
      walk(w, member.value, fv, dv, childPath, fromInclude === undefined || fromInclude === true ? undefined : fromInclude);
    } else {
      w.result.conflicts.push({
        path: childPath.join('.'),
        message: `baseline expects an object but the file has ${describe(fv)}; left unchanged`,
      });
    }
  }
  w.edits.push(...insertMembers(w.text, node, missing, w.fmt));
}

function wrap(path: string[], value: unknown): unknown {
  return path.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value);
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** Deep-merge each section's default into the document, inserting only what is absent. */
export function mergeConfigText(text: string, sections: SectionDefault[]): MergeResult {
  // Parsed value and scan of the current text, redone only after a section changed the text.
  let value: Record<string, unknown> | null = parseConfig(text);
  let doc: ReturnType<typeof scanDocument> | null = scanDocument(text);
  const result: MergeResult = { text, added: [], conflicts: [], includes: [] };
  const fmt = detectFormat(text, doc);
  let current = text;
  for (const section of sections) {
    const def = wrap(section.path, section.value);
    if (!isPlainObject(def)) {
      result.conflicts.push({ path: '', message: `section default at the root must be an object, got ${describe(def)}` });
      continue;
    }
    const included = new Map<string, Presence>();
    for (const i of section.included ?? []) {
      const prev = included.get(i.at);
      included.set(i.at, prev ? { ...prev, ...presenceOf(i.keys) } : presenceOf(i.keys));
    }
    const w: Walk = { text: current, fmt, sectionPath: section.path, edits: [], result, included, ...(section.replace ? { replace: section.replace } : {}) };
    walk(w, (doc ??= scanDocument(current)), (value ??= parseConfig(current)), def, []);
    if (w.edits.length > 0) {
      current = applyEdits(current, w.edits);
      value = null;
      doc = null;
    }
  }
  const seen = new Set<string>();
  result.conflicts = result.conflicts.filter((c) => {
    const k = `${c.path}\u0000${c.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  result.includes = unique(result.includes);
  result.text = current;
  return result;
}
