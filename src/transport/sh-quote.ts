/** Quote one word for POSIX sh: the result is always a single inert word. */
export function shQuote(s: string): string {
  if (s.includes('\0')) throw new Error('NUL byte in a shell word');
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
