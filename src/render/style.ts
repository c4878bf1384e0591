/** ANSI styling, off unless the caller says the output is a colour terminal. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const wrap = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export const COLOR: Style = { bold: wrap(1), dim: wrap(2), red: wrap(31), green: wrap(32), yellow: wrap(33), cyan: wrap(36) };
const id = (s: string) => s;
export const PLAIN: Style = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id };

export function styleFor(stream: { isTTY?: boolean }): Style {
  return stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb' ? COLOR : PLAIN;
}
