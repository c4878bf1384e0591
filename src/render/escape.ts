/**
 * The one escaping function for human output (terminal text, Markdown, errors, `runs`, lock holders). Text
 * that came from a node, a journal, a saved plan or a config can hold control characters: ESC sequences
 * that clear the screen or write the clipboard, a carriage return that overwrites a line, a newline that
 * fakes a "Plan: 0 changes" line, bidi overrides that reorder what a reviewer reads. They are shown as
 * visible escapes (`\x1b`, `\u202e`) instead, so the bytes can still be told apart.
 *
 * Escaped: C0 (U+0000–U+001F) but tab, and newline where the caller keeps lines; DEL; C1 (U+0080–U+009F);
 * the bidi controls (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069); the line and paragraph separators
 * U+2028/U+2029. Linear; idempotent (an escape is plain ASCII).
 */

// eslint-disable-next-line no-control-regex
const ONE_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
// eslint-disable-next-line no-control-regex
const KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

function visible(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/**
 * `lines: true` keeps `\n` (multi-line text such as a diff; a CR right before a newline, as in CRLF files,
 * is dropped), otherwise the text is one line and a newline shows as `\n`.
 */
export function escapeControl(text: string, opts: { lines?: boolean } = {}): string {
  if (opts.lines) return text.replace(/\r\n/g, '\n').replace(KEEP_LINES, visible);
  return text.replace(ONE_LINE, visible);
}

/** Every string in a plain-data value, escaped as one line (the `multiLine` keys keep their newlines). */
export function escapeDeep<T>(value: T, multiLine: ReadonlySet<string> = new Set()): T {
  const walk = (v: unknown, key: string | null): unknown => {
    if (typeof v === 'string') return escapeControl(v, { lines: key !== null && multiLine.has(key) });
    if (Array.isArray(v)) return v.map((x) => walk(x, null));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
      return out;
    }
    return v;
  };
  return walk(value, null) as T;
}
