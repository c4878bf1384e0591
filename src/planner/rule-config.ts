import { ownershipOf, plannedGateway, usableBy } from './ownership.js';
import type { MergeConfigAction, SectionValue } from '../domain/actions.js';
import { ConfigParseError } from '../json5-editor/merge.js';
import { mergedText } from '../json5-editor/merged-text.js';
import { configDiff } from '../json5-editor/unified-diff.js';
import { MAX_CONFIG_BYTES } from '../shared/limits.js';
import { sha256Hex } from '../shared/manifest.js';
import { maskConfigValues, safeValues } from '../shared/mask-config.js';
import { redactShapes } from '../shared/secret-shapes.js';
import { describeFact, diag, type PlanInput, type RuleOutput } from './context.js';
import type { Layout } from '../shared/layout.js';
import { transitional } from './rule-version.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function overlay(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObject(v) && isObject(out[k]) ? overlay(out[k] as Record<string, unknown>, v) : v;
  return out;
}

/** Dotted key paths of a value (an empty object ends in "." so it still counts as an object). */
function keyPaths(v: unknown, prefix: string[] = []): string[][] {
  if (!isObject(v)) return [prefix];
  const keys = Object.keys(v);
  if (keys.length === 0) return [[...prefix, '']];
  return keys.flatMap((k) => keyPaths(v[k], [...prefix, k]));
}

function related(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).every((x, i) => x === b[i]);
}

/** For one section: what each resolved $include defines on its way (key paths relative to the directive). */
function includedFor(input: PlanInput, section: string[]): SectionValue['included'] {
  const incs = input.facts.config.includes;
  if (!incs) return undefined;
  const out: { at: string; keys: string[] }[] = [];
  for (const i of incs) {
    if (i.problem !== undefined) continue;
    const at = i.at === '' ? [] : i.at.split('.');
    if (!related(at, section)) continue;
    const keys = new Set<string>();
    for (const k of keyPaths(i.value)) {
      const full = [...at, ...k.filter((x) => x !== '')];
      if (related(full, section)) keys.add(k.join('.'));
      else {
        // A key beside the section (tools.profile for tools.media): keep only that its parent is an object.
        let n = 0;
        while (n < full.length && n < section.length && full[n] === section[n]) n++;
        if (n > at.length) keys.add([...k.slice(0, n - at.length), ''].join('.'));
      }
    }
    out.push({ at: i.at, keys: [...keys].sort() });
  }
  return out.length > 0 ? out : undefined;
}

/** The baseline's sections with this node's overrides laid over their defaults. */
export function sectionsFor(input: PlanInput): SectionValue[] {
  return sectionsOf(input.baseline, input.node, input.layout).map((s) => {
    const included = includedFor(input, s.path);
    return { ...s, ...(included ? { included } : {}) };
  });
}

/**
 * `{dataRoot}` in a section's string values (the baseline's or an override's) is the node's data root: the
 * shipped baselines' log file and session store live under whatever `dataRoot` the inventory gives the node.
 * Replaced before anything is written or compared: OpenClaw never sees it.
 */
export const DATA_ROOT_TOKEN = '{dataRoot}';

function withDataRoot(v: unknown, root: string): unknown {
  if (typeof v === 'string') return v.split(DATA_ROOT_TOKEN).join(root);
  if (Array.isArray(v)) return v.map((x) => withDataRoot(x, root));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withDataRoot(x, root)]));
  return v;
}

/** Path and value of each section, from the baseline and the node alone (a saved plan's sections are checked against it). */
export function sectionsOf(baseline: PlanInput['baseline'], node: PlanInput['node'], layout: Pick<Layout, 'relocations' | 'home' | 'dataRoot'>): SectionValue[] {
  const out: SectionValue[] = baseline.config.sections.map((s) => ({
    path: s.path.split('.'),
    value: withDataRoot(overlay(s.value, node.overrides[s.path] ?? {}), layout.dataRoot) as SectionValue['value'],
  }));
  // baseline `agentDir`: each listed agent's entry points OpenClaw at its dir under the data root
  // (replacing the default path OpenClaw itself writes there, as `agents add` does: the dir is moved with it)
  for (const r of layout.relocations) {
    out.push({ path: ['agents', 'entries', r.agent!], value: { agentDir: r.target }, replace: { key: 'agentDir', from: defaultAgentDirs(layout.home, r.agent!) } });
  }
  return out;
}

/** How OpenClaw writes an agent's default `agentDir` (absolute, or `~/.openclaw/…` for the default home). */
export function defaultAgentDirs(home: string, id: string): string[] {
  const abs = `${home}/agents/${id}/agent`;
  return home.endsWith('/.openclaw') ? [abs, `~/.openclaw/agents/${id}/agent`] : [abs];
}

/** The items of the sections an added key path belongs to (an added ancestor covers the sections under it). */
function itemsOfAdded(input: PlanInput, added: string[]): string[] {
  const items = new Set<string>();
  for (const s of input.baseline.config.sections) {
    if (added.some((a) => a === s.path || a.startsWith(s.path + '.') || s.path.startsWith(a + '.'))) items.add(s.item ?? s.path);
  }
  return [...items];
}

/**
 * The diff shown for review: node values masked, the baseline's own values (and the node's agent ids) in full
 * (shared/mask-config.ts),
 * then anything still shaped like a credential (a key name) redacted.
 */
function reviewDiff(input: PlanInput, path: string, before: string, after: string, sections: SectionValue[]): string {
  // The agent ids are shown in every path already: as values (`agents.list[].id`) they are safe too.
  const safe = safeValues([...sections.map((s) => s.value), input.node.agents, input.node.keepAgents]);
  return redactShapes(configDiff(path.replace(/^\/+/, ''), maskConfigValues(before, safe), maskConfigValues(after, safe)));
}

/** Add what the baseline's config sections have and the file lacks; never change an existing value. */
export function planConfig(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const { path, fact, text } = input.facts.config;
  if (fact.kind !== 'missing' && fact.kind !== 'file') {
    out.diagnostics.push(diag(input, 'error', `expected the config file, found ${describeFact(fact)}; refusing to write through it`, path));
    return out;
  }
  if (fact.kind === 'file' && (fact.size > MAX_CONFIG_BYTES || text === null)) {
    const why = fact.size > MAX_CONFIG_BYTES ? `is ${(fact.size / 1048576).toFixed(1)} MiB, larger than the ${MAX_CONFIG_BYTES / 1048576} MiB clawfleet reads` : 'could not be read';
    out.diagnostics.push(diag(input, 'error', `config ${why}; refusing to rewrite it`, path));
    return out;
  }
  if (transitional(input)) return out; // the config keeps its shape until the upgrade (rule-version.ts)
  const before = fact.kind === 'file' ? (text ?? '') : null;
  const known = new Set(input.baseline.config.sections.map((s) => s.path));
  for (const o of Object.keys(input.node.overrides)) {
    if (!known.has(o)) out.diagnostics.push(diag(input, 'error', `override for "${o}", which is not a section of baseline ${input.baseline.name} (${[...known].join(', ')})`, path));
  }
  const sections = sectionsFor(input);
  let merged;
  try {
    merged = mergedText(before, sections);
  } catch (e) {
    if (e instanceof ConfigParseError) {
      out.diagnostics.push(diag(input, 'error', e.message, path));
      return out;
    }
    throw e;
  }
  for (const c of merged.conflicts) out.diagnostics.push(diag(input, 'warning', `${c.path}: ${c.message}; left as it is`, path));
  for (const i of input.facts.config.includes ?? []) {
    if (i.problem !== undefined) out.diagnostics.push(diag(input, 'warning', `$include at ${i.at === '' ? 'the root' : i.at} cannot be read as OpenClaw confines it (${i.problem}): keys under it are treated as present`, path));
  }
  for (const inc of merged.includes) out.diagnostics.push(diag(input, 'info', `${inc} comes from an $include: treated as present`, path));
  if (fact.kind === 'file' && merged.added.length === 0) return out;
  const action: MergeConfigAction = {
    type: 'merge-config',
    id: `config:${path}`,
    path,
    expect: fact.kind === 'file' ? { kind: 'file', sha256: fact.sha256 } : { kind: 'missing' },
    sections,
    afterSha256: sha256Hex(merged.text),
    diff: reviewDiff(input, path, before ?? '', merged.text, sections),
    added: merged.added,
    mode: fact.kind === 'file' ? fact.mode : input.baseline.config.mode,
    items: itemsOfAdded(input, merged.added),
    reason: fact.kind === 'file' ? `adds ${merged.added.length} missing key(s)` : 'config file is missing: create it with the baseline sections',
  };
  configOwner(input, action);
  out.actions.push(action);
  return out;
}

/** The written config keeps its owner, group and mode, made usable by the gateway; a new one is the gateway's. */
function configOwner(input: PlanInput, a: MergeConfigAction): void {
  const fact = input.facts.config.fact;
  const had = ownershipOf(fact);
  if (had) a.before = had;
  const g = plannedGateway(input);
  if (!g) {
    if (had) a.owner = { uid: had.uid, gid: had.gid };
    return;
  }
  const o = usableBy(g, had ?? { uid: g.uid, gid: g.gid, mode: a.mode }, 'rw');
  a.owner = { uid: o.uid, gid: o.gid };
  a.mode = o.mode;
}
