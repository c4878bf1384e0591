import JSON5 from 'json5';
import type { IncludeFact, ProbeRequest, ProbeResult } from '../domain/facts.js';

/**
 * `$include` in openclaw.json, read on the node the way OpenClaw confines it: a path (string, or an array
 * deep-merged in order) resolved against the including file's dir, which must stay inside the config dir
 * with no symlink on the way (OpenClaw's own write-through is limited to the config dir; other roots need
 * OPENCLAW_INCLUDE_ROOTS, which a fleet tool cannot see). Nested includes are followed up to 10 levels.
 */

export const MAX_INCLUDE_DEPTH = 10;
const MAX_INCLUDE_BYTES = 1024 * 1024;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every `$include` directive in a parsed document: where it sits (key path) and the paths it names. */
export function includeDirectives(value: unknown, at: string[] = []): { at: string[]; files: string[] | null }[] {
  if (!isObject(value)) return [];
  const out: { at: string[]; files: string[] | null }[] = [];
  if (Object.prototype.hasOwnProperty.call(value, '$include')) {
    const inc = value.$include;
    const files = typeof inc === 'string' ? [inc] : Array.isArray(inc) && inc.every((f) => typeof f === 'string') ? (inc as string[]) : null;
    out.push({ at, files });
  }
  for (const [k, v] of Object.entries(value)) if (k !== '$include') out.push(...includeDirectives(v, [...at, k]));
  return out;
}

function normalize(p: string): string | null {
  const parts: string[] = [];
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(s);
  }
  return '/' + parts.join('/');
}

/** The absolute path an include names, or null when it leaves the config dir (or is not a plain path). */
export function confineInclude(configDir: string, fromDir: string, file: string): string | null {
  if (file === '' || file.includes('\0') || file.length >= 4096) return null;
  const abs = normalize(file.startsWith('/') ? file : `${fromDir}/${file}`);
  if (abs === null || !abs.startsWith(configDir + '/')) return null;
  return abs;
}

/** The dirs and file from the config dir down to `abs`: each must be what it seems, not a link. */
export function componentsBelow(configDir: string, abs: string): string[] {
  const out: string[] = [];
  let cur = abs;
  while (cur.length > configDir.length) {
    out.unshift(cur);
    cur = cur.slice(0, cur.lastIndexOf('/'));
  }
  return out;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (!isObject(a) || !isObject(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out;
}

type Probe = (req: ProbeRequest) => Promise<Pick<ProbeResult, 'stat' | 'read'>>;

/** What one probe must add so the includes of `pending` can be read. */
export function includeRequest(configDir: string, pending: { fromDir: string; files: string[] }[]): { stat: string[]; read: string[] } {
  const stat = new Set<string>();
  const read = new Set<string>();
  for (const p of pending) {
    for (const f of p.files) {
      const abs = confineInclude(configDir, p.fromDir, f);
      if (!abs) continue;
      for (const c of componentsBelow(configDir, abs)) stat.add(c);
      read.add(abs);
    }
  }
  return { stat: [...stat], read: [...read] };
}

interface Node {
  at: string[];
  fromDir: string;
  files: string[] | null;
  depth: number;
}

/**
 * Resolves every `$include` of the config text. `first` holds what an earlier probe already read (the
 * caller folds includeRequest of the top level into a probe it makes anyway); deeper levels cost one probe
 * each. Each directive gets the merged value of its files, or the reason it could not be read.
 */
export async function resolveIncludes(configPath: string, text: string, probe: Probe, first?: Pick<ProbeResult, 'stat' | 'read'>): Promise<IncludeFact[]> {
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch {
    return []; // rule-config reports the parse error
  }
  const configDir = configPath.slice(0, configPath.lastIndexOf('/'));
  const out: IncludeFact[] = [];
  let level: Node[] = includeDirectives(doc).map((d) => ({ ...d, fromDir: configDir, depth: 1 }));
  let answer = first;
  while (level.length > 0) {
    const readable = level.filter((n) => n.files !== null) as (Node & { files: string[] })[];
    const req = includeRequest(configDir, readable);
    const missingFromAnswer = !answer || req.read.some((r) => !(r in answer!.read)) || req.stat.some((s) => !(s in answer!.stat));
    if (missingFromAnswer && req.read.length > 0) answer = await probe({ stat: req.stat, read: req.read });
    const next: Node[] = [];
    for (const n of level) {
      const at = n.at.join('.');
      if (n.files === null) {
        out.push({ at, files: [], value: null, problem: '$include must be a path or a list of paths' });
        continue;
      }
      if (n.depth > MAX_INCLUDE_DEPTH) {
        out.push({ at, files: n.files, value: null, problem: `nested deeper than ${MAX_INCLUDE_DEPTH} levels` });
        continue;
      }
      let merged: unknown = {};
      let problem: string | undefined;
      const files: string[] = [];
      for (const f of n.files) {
        const abs = confineInclude(configDir, n.fromDir, f);
        if (!abs) {
          problem = `${JSON.stringify(f)} leaves the config dir ${configDir}`;
          break;
        }
        files.push(abs);
        const link = componentsBelow(configDir, abs).find((c) => answer?.stat[c]?.kind === 'symlink');
        const fact = answer?.stat[abs];
        const body = answer?.read[abs];
        if (link) problem = `${link} is a symlink`;
        else if (!fact || fact.kind === 'missing') problem = `${abs} does not exist`;
        else if (fact.kind !== 'file') problem = `${abs} is not a regular file (${fact.kind})`;
        else if (fact.size > MAX_INCLUDE_BYTES) problem = `${abs} is larger than ${MAX_INCLUDE_BYTES / 1048576} MiB`;
        else if (typeof body !== 'string') problem = `${abs} could not be read`;
        if (problem) break;
        let v: unknown;
        try {
          v = JSON5.parse(body!);
        } catch {
          problem = `${abs} is not valid JSON5`;
          break;
        }
        const dir = abs.slice(0, abs.lastIndexOf('/'));
        for (const d of includeDirectives(v)) next.push({ at: [...n.at, ...d.at], fromDir: dir, files: d.files, depth: n.depth + 1 });
        merged = deepMerge(merged, v);
      }
      out.push(problem ? { at, files, value: null, problem } : { at, files, value: merged });
    }
    level = next;
  }
  return out;
}

/** The reads the config's top-level directives need (folded into the facts' second probe). */
export function topLevelIncludeRequest(configPath: string, text: string): { stat: string[]; read: string[] } {
  let doc: unknown;
  try {
    doc = JSON5.parse(text);
  } catch {
    return { stat: [], read: [] };
  }
  const configDir = configPath.slice(0, configPath.lastIndexOf('/'));
  const pending = includeDirectives(doc).flatMap((d) => (d.files ? [{ fromDir: configDir, files: d.files }] : []));
  return includeRequest(configDir, pending);
}
