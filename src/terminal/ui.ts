import { safeLine } from '../render/safe-line.js';

/** How chatty the CLI is (global -v/--verbose, -q/--quiet), set once by the program before a command runs. */
export const ui = { verbose: false, quiet: false };

/** A note for the human at the terminal (stderr); --quiet drops it. */
export function note(message: string): void {
  if (!ui.quiet) process.stderr.write(`note: ${safeLine(message)}\n`);
}
