import type { ProgressDisplay } from './progress.js';
import { colorEnabled } from './style.js';
import { ui } from './ui.js';

export type Verb = 'plan' | 'check' | 'apply';

/**
 * Where progress goes (stderr) and how: a live view on a terminal (not under CI); otherwise plain lines,
 * which a plan or check only prints with -v (its output is the plan), an apply always; none with --quiet.
 */
export function progressMode(verb: Verb): { display: ProgressDisplay; out: NodeJS.WriteStream; color: boolean; perAction: boolean } {
  const err = process.stderr;
  const tty = Boolean(err.isTTY) && !process.env.CI && process.env.TERM !== 'dumb';
  const display: ProgressDisplay = ui.quiet ? 'none' : tty ? 'live' : verb === 'apply' || ui.verbose ? 'lines' : 'none';
  return { display, out: err, color: colorEnabled(err), perAction: ui.verbose };
}
