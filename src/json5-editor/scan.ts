/**
 * A small JSON5 scanner that only locates things: the byte spans of objects, their members and the
 * commas between them. It assumes the text already passed `JSON5.parse` (values and validation come
 * from the json5 package); it exists so edits can be made without re-serialising the file.
 */
import JSON5 from 'json5';

export interface OtherNode {
  kind: 'other';
  start: number;
  /** exclusive */
  end: number;
}

export interface ObjectNode {
  kind: 'object';
  /** index of `{` */
  open: number;
  /** index of `}` */
  close: number;
  members: MemberNode[];
}

export interface MemberNode {
  key: string;
  keyStart: number;
  /** index just past the value's last character */
  valueEnd: number;
  /** index of the `,` that follows the value, if any */
  comma: number | undefined;
  value: ObjectNode | OtherNode;
}

const PRIMITIVE_STOP = '{}[],:\'"/';

export function isLineTerminator(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}

/** JS `\s` is the JSON5 whitespace set (incl. U+FEFF, U+2028/9 and the Zs category). */
export function isWhitespace(c: string): boolean {
  return c !== '' && /\s/.test(c);
}

/** End index of the comment starting at `pos`, or -1 when no comment starts there. */
export function commentEnd(text: string, pos: number): number {
  if (text.charAt(pos) !== '/') return -1;
  const next = text.charAt(pos + 1);
  if (next === '/') {
    let p = pos + 2;
    while (p < text.length && !isLineTerminator(text.charAt(p))) p++;
    return p;
  }
  if (next === '*') {
    const e = text.indexOf('*/', pos + 2);
    return e < 0 ? text.length : e + 2;
  }
  return -1;
}

/** Skip whitespace and comments. */
export function skipTrivia(text: string, pos: number): number {
  for (;;) {
    if (isWhitespace(text.charAt(pos))) {
      pos++;
      continue;
    }
    const e = commentEnd(text, pos);
    if (e < 0) return pos;
    pos = e;
  }
}

function decodeIdentifier(raw: string): string {
  return raw.replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  private fail(what: string): never {
    throw new Error(`config scanner: ${what} at offset ${this.pos}`);
  }

  private trivia(): string {
    this.pos = skipTrivia(this.text, this.pos);
    return this.text.charAt(this.pos);
  }

  value(): ObjectNode | OtherNode {
    const c = this.trivia();
    if (c === '{') return this.object();
    const start = this.pos;
    if (c === '[') this.array();
    else if (c === '"' || c === "'") this.string();
    else this.primitive();
    return { kind: 'other', start, end: this.pos };
  }

  private object(): ObjectNode {
    const open = this.pos++;
    const members: MemberNode[] = [];
    for (;;) {
      const c = this.trivia();
      if (c === '}') return { kind: 'object', open, close: this.pos++, members };
      const keyStart = this.pos;
      let key: string;
      if (c === '"' || c === "'") {
        this.string();
        key = JSON5.parse<string>(this.text.slice(keyStart, this.pos));
      } else {
        this.primitive();
        key = decodeIdentifier(this.text.slice(keyStart, this.pos));
      }
      if (this.trivia() !== ':') this.fail("expected ':'");
      this.pos++;
      const value = this.value();
      const valueEnd = this.pos;
      let comma: number | undefined;
      if (this.trivia() === ',') comma = this.pos++;
      members.push({ key, keyStart, valueEnd, comma, value });
    }
  }

  private array(): void {
    this.pos++;
    for (;;) {
      if (this.trivia() === ']') {
        this.pos++;
        return;
      }
      this.value();
      if (this.trivia() === ',') this.pos++;
    }
  }

  private string(): void {
    const quote = this.text.charAt(this.pos++);
    while (this.pos < this.text.length) {
      const c = this.text.charAt(this.pos);
      if (c === '\\') this.pos += 2;
      else if (c === quote) {
        this.pos++;
        return;
      } else this.pos++;
    }
    this.fail('unterminated string');
  }

  private primitive(): void {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charAt(this.pos);
      if (isWhitespace(c) || PRIMITIVE_STOP.includes(c)) break;
      this.pos++;
    }
    if (this.pos === start) this.fail('unexpected character');
  }
}

/** Locate the root object of a (valid JSON5) document. */
export function scanDocument(text: string): ObjectNode {
  const root = new Scanner(text).value();
  if (root.kind !== 'object') throw new Error('config scanner: root is not an object');
  return root;
}

/** The last member named `key` (JSON5.parse lets the last duplicate win, so do we). */
export function findMember(node: ObjectNode, key: string): MemberNode | undefined {
  for (let i = node.members.length - 1; i >= 0; i--) {
    const m = node.members[i];
    if (m && m.key === key) return m;
  }
  return undefined;
}
