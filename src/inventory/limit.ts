import picomatch from 'picomatch';
import { ClawError } from '../domain/errors.js';
import type { Inventory, NodeSpec } from '../domain/inventory.js';
import { suggest } from './suggest.js';

/**
 * `--limit`, like Ansible's: each value a comma-separated list of node names, group names or globs; a
 * term starting with `!` excludes what it matches; values repeat (`-l prod -l '!node04'`). Only exclusions
 * means every node but those. A term that matches nothing is an error (with a suggestion for a typo).
 */
export function limitNodes(inv: Inventory, limit: string | readonly string[] | undefined): NodeSpec[] {
  const terms = (typeof limit === 'string' ? [limit] : (limit ?? [])).flatMap(splitTerms).map((s) => s.trim()).filter(Boolean);
  if (terms.length === 0) return inv.nodes;
  const names = inv.nodes.map((n) => n.name);
  const groups = Object.keys(inv.groups);
  const hitsOf = (term: string): string[] => {
    const isMatch = picomatch(term);
    const hits = [...names.filter((n) => isMatch(n)), ...groups.filter((g) => isMatch(g)).flatMap((g) => inv.groups[g]!)];
    if (hits.length === 0) {
      const near = suggest(term, [...names, ...groups]);
      throw new ClawError('LIMIT', `--limit: no node or group matches "${term}"${near ? ` (did you mean "${near}"?)` : ''}`, { path: inv.file });
    }
    return hits;
  };
  const include = terms.filter((t) => !t.startsWith('!'));
  const exclude = terms.filter((t) => t.startsWith('!')).map((t) => t.slice(1));
  const wanted = new Set(include.length ? include.flatMap(hitsOf) : names);
  for (const t of exclude) for (const h of hitsOf(t)) wanted.delete(h);
  if (wanted.size === 0) throw new ClawError('LIMIT', `--limit ${terms.join(',')} leaves no node`, { path: inv.file });
  return inv.nodes.filter((n) => wanted.has(n.name));
}

/** Commas separate terms, except inside a glob's `{a,b}`. */
function splitTerms(list: string): string[] {
  const out = [''];
  let depth = 0;
  for (const ch of list) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === ',' && depth === 0) out.push('');
    else out[out.length - 1] += ch;
  }
  return out;
}
