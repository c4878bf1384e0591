/**
 * Secret redaction for free text clawfleet prints or stores (messages, reasons, diffs, handler commands and
 * their output). Two nets: values held under secret-looking keys (`"apiKey": "…"`, `token=…`,
 * `"mot de passe": "…"`, `apiKeys: ["…", "…"]`), and anything shaped like a known credential
 * (secret-shapes.ts) wherever it stands.
 *
 * Linear time on any input: the key net is a hand-written scan, not a regex. It visits each `:` or `=` once,
 * looks back at most MAX_KEY characters for the key, and a value it redacts is consumed (never scanned again).
 *
 * Never applied to fields that drive apply (paths, ids, entry names, section values): those are kept free of
 * secrets by design (see inventory/sanity.ts) and must reach the node byte for byte.
 */
import { secretKeyBroad, secretKeyStrict } from './secret-keys.js';
import { REDACTED, redactShapes } from './secret-shapes.js';

export { REDACTED } from './secret-shapes.js';

const MAX_KEY = 128;
const ENV_REF = /^\$\{[A-Z0-9_]+\}$/;

function isKeyChar(c: number): boolean {
  // letters and digits of any script, _ - . and everything above ASCII except spaces and quotes
  if (c >= 0x30 && c <= 0x39) return true;
  if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) return true;
  if (c === 0x5f || c === 0x2d || c === 0x2e) return true;
  return c > 0x7f && c !== 0xa0 && c !== 0x2028 && c !== 0x2029 && c !== 0x201c && c !== 0x201d;
}

/** The key ending just before `sep` (spaces skipped), or null. */
function keyBefore(text: string, sep: number): { key: string; quoted: boolean } | null {
  let p = sep - 1;
  const stop = Math.max(0, sep - MAX_KEY);
  while (p >= stop && (text[p] === ' ' || text[p] === '\t')) p--;
  if (p < stop) return null;
  const q = text[p];
  if (q === '"' || q === "'") {
    let open = p - 1;
    while (open >= stop && text[open] !== q) open--;
    if (open < stop) return null;
    const key = text.slice(open + 1, p);
    return key.includes('\n') ? null : { key, quoted: true };
  }
  let s = p;
  while (s >= stop && isKeyChar(text.charCodeAt(s))) s--;
  if (s < stop && stop > 0) return null; // longer than MAX_KEY: not a key
  return s === p ? null : { key: text.slice(s + 1, p + 1), quoted: false };
}

/** End (exclusive) of the quoted string starting at `start` (escapes and line continuations included). */
function stringEnd(text: string, start: number): number {
  const q = text[start];
  let p = start + 1;
  while (p < text.length) {
    const c = text[p];
    if (c === '\\') p += 2;
    else if (c === q) return p + 1;
    else if (c === '\n' && q !== '`') return p; // an unterminated one-line string ends at the line
    else p++;
  }
  return text.length;
}

/** End (exclusive) of the bracketed list starting at `start`, strings inside skipped. */
function listEnd(text: string, start: number): number {
  let depth = 0;
  let p = start;
  while (p < text.length) {
    const c = text[p];
    if (c === '"' || c === "'") {
      p = stringEnd(text, p);
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return p + 1;
    p++;
  }
  return text.length;
}

const BARE_STOP = new Set([' ', '\t', '\n', '\r', ',', ';', '&', '"', "'", '}', ']', ')', '<', '>']);
const WHOLE_LINE = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key']);

function redactKeyValues(text: string): string {
  const parts: string[] = [];
  let emitted = 0;
  let p = 0;
  const seps = new Separators(text);
  while (p < text.length) {
    const sep = seps.next(p);
    if (sep < 0) break;
    p = sep + 1;
    const k = keyBefore(text, sep);
    if (!k || !secretKeyBroad(k.key)) continue;
    let v = sep + 1;
    while (v < text.length && (text[v] === ' ' || text[v] === '\t')) v++;
    const c = text[v];
    let start: number;
    let end: number;
    if (c === '"' || c === "'" || c === '`') {
      end = stringEnd(text, v);
      const inner = text.slice(v + 1, Math.max(v + 1, end - 1));
      if (inner === '' || ENV_REF.test(inner)) {
        p = end;
        continue;
      }
      start = v + 1;
      end = text[end - 1] === c && end - 1 > v ? end - 1 : end;
    } else if (c === '[') {
      end = listEnd(text, v);
      start = v + 1;
      end = text[end - 1] === ']' ? end - 1 : end;
      if (end <= start) continue;
    } else if (secretKeyStrict(k.key) || WHOLE_LINE.has(k.key.toLowerCase())) {
      if (c === '{' || c === undefined || c === '\n' || c === '\r') continue;
      const whole = WHOLE_LINE.has(k.key.toLowerCase());
      end = v;
      while (end < text.length && (whole ? text[end] !== '\n' && text[end] !== '\r' : !BARE_STOP.has(text[end]!))) end++;
      const bare = text.slice(v, end);
      if (bare === '' || bare === 'true' || bare === 'false' || bare === 'null' || ENV_REF.test(bare) || bare.startsWith(REDACTED)) continue;
      // After a colon, prose is common ("credentials: dir could not be listed", "…/token: missing"): an
      // unquoted value there counts only when it looks like one (a digit, or 8+ characters), and never a path.
      if (!whole && text[sep] === ':' && (/^[/~.]/.test(bare) || (!/[0-9]/.test(bare) && bare.length < 8))) continue;
      start = v;
    } else continue;
    parts.push(text.slice(emitted, start), REDACTED);
    emitted = end;
    p = end;
  }
  if (emitted === 0) return text;
  parts.push(text.slice(emitted));
  return parts.join('');
}

/** The next `:` or `=` at or after a position that only grows: each indexOf resumes where it stopped. */
class Separators {
  private colon = -2;
  private eq = -2;
  constructor(private readonly text: string) {}

  next(from: number): number {
    if (this.colon !== -1 && this.colon < from) this.colon = this.text.indexOf(':', from);
    if (this.eq !== -1 && this.eq < from) this.eq = this.text.indexOf('=', from);
    return this.colon < 0 ? this.eq : this.eq < 0 ? this.colon : Math.min(this.colon, this.eq);
  }
}

/** Redact secrets from free text. Linear in the text's length. */
export function redactText(text: string): string {
  return redactShapes(redactKeyValues(text));
}
