import { distance } from 'fastest-levenshtein';
import type { z } from 'zod';

/** A near name for a typo ("hots" → "host", "node4" → "node04"), or nothing when none is close. */
export function suggest(word: string, names: readonly string[]): string | undefined {
  if (names.length === 0) return undefined;
  const w = word.toLowerCase();
  const scored = names.map((n) => ({ n, d: typoDistance(w, n.toLowerCase()) }));
  const best = scored.reduce((a, b) => (b.d < a.d ? b : a));
  return best.d > 0 && best.d <= Math.max(1, Math.floor(best.n.length / 3)) ? best.n : undefined;
}

/** Edit distance where swapping two neighbours ("hots" for "host") counts as one typo, as in commander's. */
function typoDistance(a: string, b: string): number {
  let d = distance(a, b);
  for (let i = 0; i + 1 < a.length && d > 1; i++) {
    if (a[i] === a[i + 1]) continue;
    d = Math.min(d, 1 + distance(a.slice(0, i) + a[i + 1] + a[i] + a.slice(i + 2), b));
  }
  return d;
}

type Def = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; valueType?: z.ZodType; element?: z.ZodType; in?: z.ZodType };
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object schema allows at `path` (through records, arrays, defaults, optionals), for suggestions. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let s: z.ZodType | undefined = schema;
  const rest = [...path];
  for (let guard = 0; s && guard < 64; guard++) {
    const d = defOf(s);
    if (d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (rest.length === 0) return d.type === 'object' && d.shape ? Object.keys(d.shape) : [];
    else if (d.type === 'object' && d.shape) s = d.shape[String(rest.shift())];
    else if (d.type === 'record' && d.valueType) {
      rest.shift();
      s = d.valueType;
    } else if (d.type === 'array' && d.element) {
      rest.shift();
      s = d.element;
    } else return [];
  }
  return [];
}
