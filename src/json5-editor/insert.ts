/**
 * Text edits that append members to an existing object while leaving every other byte alone.
 */
import { commentEnd, isLineTerminator, isWhitespace, type ObjectNode } from './scan.js';
import { serializeMember, type Format } from './serialize.js';

export interface Edit {
  start: number;
  /** exclusive; === start for a pure insertion */
  end: number;
  text: string;
}

const NEWLINE = /[\n\r\u2028\u2029]/;

/** Leading blanks of the line holding `pos`, and whether `pos` is the first non-blank on it. */
function lineIndent(text: string, pos: number): { indent: string; first: boolean } {
  let s = pos;
  while (s > 0 && !isLineTerminator(text.charAt(s - 1))) s--;
  const indent = /^[ \t]*/.exec(text.slice(s, pos))?.[0] ?? '';
  return { indent, first: s + indent.length === pos };
}

/** Indent unit from the first member that starts its own line; line ending by majority. */
export function detectFormat(text: string, root: ObjectNode): Format {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const eol = crlf > lf ? '\r\n' : '\n';
  let indentUnit = '  ';
  const visit = (node: ObjectNode, depth: number): boolean => {
    for (const m of node.members) {
      const { indent, first } = lineIndent(text, m.keyStart);
      if (first && indent.length > 0) {
        if (indent.startsWith('\t')) indentUnit = '\t';
        else if (/^ +$/.test(indent) && indent.length % depth === 0) indentUnit = ' '.repeat(indent.length / depth);
        else continue;
        return true;
      }
    }
    return node.members.some((m) => m.value.kind === 'object' && visit(m.value, depth + 1));
  };
  visit(root, 1);
  return { indentUnit, eol };
}

/** Past any comments that sit on the same line as `pos` (whitespace before `}` is left alone). */
function pastSameLineComments(text: string, pos: number): number {
  let p = pos;
  let q = pos;
  for (;;) {
    while (isWhitespace(text.charAt(q)) && !isLineTerminator(text.charAt(q))) q++;
    const e = commentEnd(text, q);
    if (e < 0) return p;
    p = q = e;
  }
}

/** Append `entries` (absent keys with their default values) at the end of `node`. */
export function insertMembers(text: string, node: ObjectNode, entries: [string, unknown][], fmt: Format): Edit[] {
  if (entries.length === 0) return [];
  const { eol, indentUnit } = fmt;
  const closeIndent = lineIndent(text, node.open).indent;
  const last = node.members[node.members.length - 1];

  if (!last) {
    const childIndent = closeIndent + indentUnit;
    const body = entries.map(([k, v]) => childIndent + serializeMember(k, v, childIndent, fmt)).join(',' + eol);
    // Keep comments inside an empty object: insert after the last one.
    let p = node.open + 1;
    let afterComment = -1;
    for (;;) {
      while (isWhitespace(text.charAt(p))) p++;
      const e = commentEnd(text, p);
      if (e < 0 || p >= node.close) break;
      afterComment = p = e;
    }
    if (afterComment < 0) {
      return [{ start: node.open + 1, end: node.close, text: eol + body + eol + closeIndent }];
    }
    const rest = text.slice(afterComment, node.close);
    if (NEWLINE.test(rest)) return [{ start: afterComment, end: afterComment, text: eol + body }];
    return [{ start: afterComment, end: node.close, text: eol + body + eol + closeIndent }];
  }

  const trailingComma = last.comma !== undefined;
  if (!NEWLINE.test(text.slice(node.open, node.close))) {
    // Single-line object: stay on one line.
    const inner = closeIndent + indentUnit;
    const members = entries.map(([k, v]) => serializeMember(k, v, inner, fmt, true)).join(', ');
    if (last.comma !== undefined) return [{ start: last.comma + 1, end: last.comma + 1, text: ` ${members},` }];
    return [{ start: last.valueEnd, end: last.valueEnd, text: `, ${members}` }];
  }

  const keyLine = lineIndent(text, last.keyStart);
  const childIndent = keyLine.first ? keyLine.indent : closeIndent + indentUnit;
  const body = entries.map(([k, v]) => childIndent + serializeMember(k, v, childIndent, fmt)).join(',' + eol);
  const insertText = eol + body + (trailingComma ? ',' : '');
  const at = pastSameLineComments(text, last.comma !== undefined ? last.comma + 1 : last.valueEnd);
  if (last.comma !== undefined) return [{ start: at, end: at, text: insertText }];
  if (at === last.valueEnd) return [{ start: at, end: at, text: ',' + insertText }];
  // The comma goes right after the value, before any comment on that line.
  return [
    { start: last.valueEnd, end: last.valueEnd, text: ',' },
    { start: at, end: at, text: insertText },
  ];
}

/** Apply non-overlapping edits (applied back to front so offsets stay valid). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
