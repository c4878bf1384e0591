/**
 * The config diff's policy for what it may show: key paths, structure and the baseline's own values, never a
 * value read from the node. Before the diff is computed, both the node's text and the merged text go through
 * `maskConfigValues`: every string and number that is not known to be safe becomes `«…»` and every comment's
 * text becomes `«…»`; keys, punctuation, indentation, `true`/`false`/`null` and `${VAR}` references stay.
 * "Known safe" means: a value the baseline or the node's overrides hold (checked at load to hold no literal
 * secret), so the lines clawfleet adds read in full.
 *
 * Why mask instead of redacting recognised secrets: a context line can hold a secret of any shape (a
 * password, a webhook URL, a value split over lines, a token in a comment); recognising every shape is a
 * race that a new provider loses. Masking needs no recognition: nothing the node wrote reaches the plan.
 * The line structure is kept (one masked segment per line), so hunk line numbers stay true.
 *
 * A linear scan; tolerant of text that is not valid JSON5 (unknown characters are copied).
 */
import JSON5 from 'json5';

export const MASK = '«…»';
const ENV_REF = /^\$\{[A-Z0-9_]+\}$/;
const BARE_KEEP = new Set(['true', 'false', 'null']);
const STOP = new Set(['{', '}', '[', ']', ',', ':', '"', "'", '/', ' ', '\t', '\n', '\r', '\u2028', '\u2029', '\ufeff']);

/** The scalar values of the sections clawfleet adds (strings as they are, numbers as JSON writes them). */
export function safeValues(values: unknown[]): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.add(v);
    else if (typeof v === 'number') out.add(JSON.stringify(v));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  values.forEach(walk);
  return out;
}

/** JSON5 whitespace (JS `\s`), the ASCII cases first: this runs once per character. */
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\t' || c === '\r' || (c !== undefined && c > '\x7f' && /\s/.test(c));
/** A key longer than this is masked too: no key name is that long, and a diff line must stay readable. */
const MAX_KEY = 200;

/** Replace what each line of `s` holds, from its first to its last non-blank character, by the mask. */
function maskLines(s: string): string {
  return s.replace(/\S(?:[^\n\r\u2028\u2029]*\S)?/g, MASK);
}

class Masker {
  private p = 0;
  private readonly out: string[] = [];
  private readonly maxSafe: number;

  constructor(
    private readonly t: string,
    private readonly safe: ReadonlySet<string>,
  ) {
    this.maxSafe = Math.max(0, ...[...safe].map((s) => s.length)) * 6 + 2;
  }

  run(): string {
    const t = this.t;
    let copied = 0;
    const flush = (to: number) => {
      if (to > copied) this.out.push(t.slice(copied, to));
    };
    while (this.p < t.length) {
      const c = t[this.p]!;
      const start = this.p;
      if (c === '/' && (t[start + 1] === '/' || t[start + 1] === '*')) {
        const line = t[start + 1] === '/';
        let end = line ? start + 2 : t.indexOf('*/', start + 2);
        if (line) while (end < t.length && t[end] !== '\n' && t[end] !== '\r') end++;
        else end = end < 0 ? t.length : end;
        flush(start + 2);
        this.out.push(maskLines(t.slice(start + 2, end)));
        copied = end;
        this.p = line ? end : Math.min(t.length, end + 2);
      } else if (c === '"' || c === "'") {
        const end = this.stringEnd(start);
        this.p = end;
        if ((end - start <= MAX_KEY && this.isKey(end)) || this.isSafeString(t.slice(start, end))) continue;
        flush(start + 1);
        const closed = t[end - 1] === c && end - 1 > start;
        this.out.push(maskLines(t.slice(start + 1, closed ? end - 1 : end)));
        copied = closed ? end - 1 : end;
      } else if (STOP.has(c) || isSpace(c)) {
        this.p++;
      } else {
        let end = start;
        while (end < t.length && !STOP.has(t[end]!) && !isSpace(t[end])) end++;
        this.p = end;
        const word = t.slice(start, end);
        if ((end - start <= MAX_KEY && this.isKey(end)) || BARE_KEEP.has(word) || this.safe.has(word)) continue;
        flush(start);
        this.out.push(MASK);
        copied = end;
      }
    }
    flush(t.length);
    return this.out.join('');
  }

  private stringEnd(start: number): number {
    const t = this.t;
    const q = t[start];
    let p = start + 1;
    while (p < t.length) {
      if (t[p] === '\\') p += 2;
      else if (t[p] === q) return p + 1;
      else p++;
    }
    return t.length;
  }

  /** A key is followed, after blanks and comments, by `:`. */
  private isKey(end: number): boolean {
    const t = this.t;
    let p = end;
    for (;;) {
      while (p < t.length && isSpace(t[p])) p++;
      if (t[p] === '/' && t[p + 1] === '*') {
        const e = t.indexOf('*/', p + 2);
        if (e < 0) return false;
        p = e + 2;
      } else if (t[p] === '/' && t[p + 1] === '/') {
        while (p < t.length && t[p] !== '\n') p++;
      } else return t[p] === ':';
    }
  }

  private isSafeString(raw: string): boolean {
    if (raw.length > this.maxSafe && raw.length > 64) return false;
    let v: unknown = raw.slice(1, -1); // no escape: the text is the value
    if (raw.includes('\\'))
      try {
        v = JSON5.parse(raw);
      } catch {
        return false;
      }
    return typeof v === 'string' && (v === '' || ENV_REF.test(v) || this.safe.has(v));
  }
}

/** The text with every value not known to be safe masked (see the module comment). */
export function maskConfigValues(text: string, safe: ReadonlySet<string>): string {
  return new Masker(text, safe).run();
}
