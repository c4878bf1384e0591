import type { UnlinkAction } from '../domain/actions.js';
import { describeFact, diag, factOf, type PlanInput, type RuleOutput } from './context.js';

/**
 * The transition from a baseline of links (openclaw-classic) to one that places the data by means OpenClaw
 * 2026.8.1+ supports: every retired link that still points where the old baseline put it becomes a real dir
 * again, holding the target's data (copied in, then the target's entries leave the data root for the run's
 * attic: nothing is deleted). A link pointing elsewhere is the operator's: left, with a warning.
 */
export function planUnlinks(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  for (const slot of input.layout.retired) {
    const f = factOf(input, slot.path);
    if (f.kind !== 'symlink') continue; // a real dir (or nothing) is what the new baseline wants
    if (f.target !== slot.target) {
      out.diagnostics.push(diag(input, 'warning', `symlink to ${f.target}, not one clawfleet made: left as it is (OpenClaw 2026.8.1+ refuses state reached through links)`, slot.path));
      continue;
    }
    const t = factOf(input, slot.target);
    if (t.kind !== 'dir') {
      out.diagnostics.push(diag(input, 'error', `link to ${slot.target}, which is ${describeFact(t)}: cannot turn it back into a dir`, slot.path));
      continue;
    }
    const a: UnlinkAction = {
      type: 'unlink',
      id: `unlink:${slot.path}`,
      path: slot.path,
      target: slot.target,
      expect: { kind: 'symlink', target: f.target },
      reason: `link of an earlier baseline; becomes a real dir again with the data of ${slot.target}`,
      items: [slot.item],
    };
    out.actions.push(a);
  }
  return out;
}
