/** ANSI styling, off unless the output is a colour terminal (or colour is forced); made in src/terminal/style.ts. */
export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}
