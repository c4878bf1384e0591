/**
 * Writes inserted values as JSON (double-quoted keys and strings), indented to match the file.
 * The output is also valid JSON5; non-finite numbers use JSON5's `NaN` / `Infinity` literals.
 */

export interface Format {
  /** one indentation level: '  ', '    ', '\t', … */
  indentUnit: string;
  eol: '\n' | '\r\n';
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function quoteString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function number(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (Object.is(n, -0)) return '-0';
  return String(n);
}

/** Object entries that would survive JSON serialisation (undefined/functions/symbols dropped). */
export function definedEntries(obj: Record<string, unknown>): [string, unknown][] {
  return Object.entries(obj).filter(([, v]) => serializable(v));
}

export function serializable(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}

/**
 * Serialise `value` for a position whose line is indented by `indent`. With `inline`, everything
 * stays on one line (`{ "a": 1 }`, `[1, 2]`).
 */
export function serializeValue(value: unknown, indent: string, fmt: Format, inline = false): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'number') return number(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return serializeValue((value as { toJSON: () => unknown }).toJSON(), indent, fmt, inline);
  }
  const inner = indent + fmt.indentUnit;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => (serializable(v) ? serializeValue(v, inner, fmt, inline) : 'null'));
    if (inline) return `[${items.join(', ')}]`;
    return `[${fmt.eol}${items.map((s) => inner + s).join(',' + fmt.eol)}${fmt.eol}${indent}]`;
  }
  if (isPlainObject(value)) {
    const entries = definedEntries(value);
    if (entries.length === 0) return '{}';
    if (inline) return `{ ${entries.map(([k, v]) => serializeMember(k, v, inner, fmt, true)).join(', ')} }`;
    const body = entries.map(([k, v]) => inner + serializeMember(k, v, inner, fmt, false));
    return `{${fmt.eol}${body.join(',' + fmt.eol)}${fmt.eol}${indent}}`;
  }
  return 'null';
}

/** `"key": value` (no leading indentation). */
export function serializeMember(key: string, value: unknown, indent: string, fmt: Format, inline = false): string {
  return `${quoteString(key)}: ${serializeValue(value, indent, fmt, inline)}`;
}
