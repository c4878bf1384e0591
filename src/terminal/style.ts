import { createColors } from 'colorette';
import type { Style } from '../render/style.js';

export const COLOR: Style = createColors({ useColor: true });
export const PLAIN: Style = createColors({ useColor: false });

/** `--no-color` ('never') and `--color` ('always') beat the environment; 'auto' asks it. */
export type ColorMode = 'auto' | 'always' | 'never';
let mode: ColorMode = 'auto';

export function setColorMode(m: ColorMode): void {
  mode = m;
}

/**
 * The usual conventions, in this order: --no-color / --color; NO_COLOR (any non-empty value) turns colour
 * off; FORCE_COLOR turns it on (0 or "false" off); otherwise a terminal that is not TERM=dumb.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (mode !== 'auto') return mode === 'always';
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

export function styleFor(stream: { isTTY?: boolean }): Style {
  return colorEnabled(stream) ? COLOR : PLAIN;
}
