import { ConfigParseError } from '../json5-editor/merge.js';
import { mergedText } from '../json5-editor/merged-text.js';
import { describeFact, type PlanInput } from '../planner/context.js';
import { sectionsFor } from '../planner/rule-config.js';
import { MAX_CONFIG_BYTES } from '../shared/limits.js';
import { Judgement } from './judgement.js';

/** Whether a dotted key path lies in a section, or above it (an ancestor that is not an object). */
function touches(section: string, path: string): boolean {
  return path === section || path.startsWith(section + '.') || section.startsWith(path + '.');
}

/**
 * Config items: the section has every key the baseline gives it. A key of another type where the baseline
 * needs an object is drift (the merge cannot add below it); a section behind an `$include`, or a config that
 * cannot be read or parsed, cannot be judged.
 */
export function judgeConfig(input: PlanInput, judgements: (item: string) => Judgement): void {
  const { path, fact, text } = input.facts.config;
  const sections = input.baseline.config.sections;
  const all = (f: (j: Judgement) => void) => sections.forEach((s) => f(judgements(s.item ?? s.path)));
  if (fact.kind === 'missing') return all((j) => j.drift('config', `${path} is missing`));
  if (fact.kind !== 'file') return all((j) => j.unknown(`${path} is ${describeFact(fact)}, not a file`));
  if (fact.size > MAX_CONFIG_BYTES) return all((j) => j.unknown(`${path} is larger than ${MAX_CONFIG_BYTES / 1048576} MiB`));
  if (text === null) return all((j) => j.unknown(`${path} could not be read`));
  let merged;
  try {
    merged = mergedText(text, sectionsFor(input));
  } catch (e) {
    if (e instanceof ConfigParseError) return all((j) => j.unknown(`${path}: ${e.message}`));
    throw e;
  }
  for (const s of sections) {
    const j = judgements(s.item ?? s.path);
    const added = merged.added.filter((a) => touches(s.path, a));
    if (added.length) j.drift('config', `missing ${added.join(', ')}`);
    for (const c of merged.conflicts.filter((c) => touches(s.path, c.path))) j.drift('conflict', `${c.path}: ${c.message.replace(/; left unchanged$/, '')}`);
    for (const inc of merged.includes.filter((i) => touches(s.path, i))) j.unknown(`${inc} comes from an $include, which clawfleet does not read`);
  }
}
