import type { ErrorCode } from '../domain/errors.js';
import { encodeName, hasEscapedBytes } from '../shared/name-bytes.js';
import { shQuote } from './sh-quote.js';

/**
 * The shell side of copying a dir's entries and moving them about, shared by both transports (the local
 * transport runs the same text with /bin/sh, on host paths). Each script works from a held working dir: it
 * enters the dir it writes in component by component below a base the operator set up (the data root, which
 * may be a mount link), refusing a component that is a symlink (exit 41, before anything is written), and
 * from then on names everything relative to it, so a later swap of a component above cannot redirect a write.
 *
 * Names are bytes (shared/name-bytes.ts): a path that is not valid UTF-8 is rebuilt on the node with printf
 * octal escapes, so it reaches cp and mv exactly; entries are never named in a script (a glob or `cp -a dir/.`
 * takes them as the node has them).
 *
 * Exit codes: 0 done, 17 a destination exists, 2 a source is missing, 41 a component changed, else cp's/mv's.
 */

export const EXIT_EXISTS = 17;
export const EXIT_MISSING = 2;
export const EXIT_SWAPPED = 41;

/** `v=…` assigning the exact bytes of `s` to the shell variable `v`. */
export function assignBytes(v: string, s: string): string {
  if (!hasEscapedBytes(s)) return `${v}=${shQuote(s)}`;
  const oct = [...encodeName(s)].map((b) => '\\' + b.toString(8).padStart(3, '0')).join('');
  // The trailing x keeps a name's own trailing newlines from being eaten by $(…).
  return `${v}=$(printf '${oct}x'); ${v}=\${${v}%x}`;
}

/**
 * Enter `base` (a dir the operator set up, which may itself be a link: a data root mounted elsewhere), then
 * each component of `rel` below it one by one, refusing one that is a symlink (exit 41): once inside, every
 * name is relative to the held dir.
 */
function enter(base: string, rel: string): string[] {
  const lines = [assignBytes('d', base), `cd -P -- "$d" 2>/dev/null || { echo "cannot enter $d" >&2; exit ${EXIT_MISSING}; }`];
  rel
    .split('/')
    .filter(Boolean)
    .forEach((c, i) => {
      lines.push(
        assignBytes(`c${i}`, c),
        `d="$d/$c${i}"`,
        `if [ -L "$c${i}" ]; then echo "$d is a symlink, not what was planned: refusing to write through it" >&2; exit ${EXIT_SWAPPED}; fi`,
        `cd -P -- "$c${i}" 2>/dev/null || { echo "cannot enter $d" >&2; exit ${EXIT_MISSING}; }`,
      );
    });
  return lines;
}

/** Where a script works: `base` (may be a link) and the path below it (no link allowed). */
export interface Held {
  base: string;
  /** Relative to `base` ('' for base itself). */
  rel: string;
}

/** `dest` split at `base` (an ancestor of dest, or dest itself; anything else holds dest's parent as base). */
export function heldAt(base: string, dest: string): Held {
  if (dest === base) return { base, rel: '' };
  if (dest.startsWith(base === '/' ? '/' : base + '/')) return { base, rel: dest.slice(base === '/' ? 1 : base.length + 1) };
  const i = dest.lastIndexOf('/');
  return { base: i <= 0 ? '/' : dest.slice(0, i), rel: dest.slice(i + 1) };
}

export interface CopySpec {
  /** Dir whose entries are copied (as the script names it). */
  src: string;
  /** Dir the copy is made in; `tmp`, a new dir in it, receives the entries. */
  dest: Held;
  tmp: string;
}

/**
 * One `cp -a` of every entry of `src` (`src/.`), so hard links among them stay hard links, sparse files stay
 * sparse (GNU cp's default: holes are detected and kept), FIFOs stay FIFOs and names keep their bytes. A
 * failed copy removes its own partial copy (the source is never touched). `watch`: cp ends when this script's
 * stdin reaches EOF (SSH: the client went away).
 */
export function copyEntriesScript(c: CopySpec, watch: boolean): string {
  const lines = ['set -f', ...enter(c.dest.base, c.dest.rel), assignBytes('t', c.tmp), assignBytes('s', c.src)];
  lines.push(`if [ -e "$t" ] || [ -L "$t" ]; then echo "$t already exists" >&2; exit ${EXIT_EXISTS}; fi`);
  lines.push(`if [ ! -d "$s" ]; then echo "source $s is not a dir" >&2; exit ${EXIT_MISSING}; fi`);
  lines.push(`mkdir -m 700 -- "$t" || exit ${EXIT_EXISTS}`);
  if (watch) {
    lines.push(
      'exec 3<&0',
      'cp -a -- "$s/." "$t/" </dev/null 3<&- & c=$!',
      '(while read -r _ <&3; do :; done; kill -TERM "$c" 2>/dev/null) & w=$!',
      'exec 3<&-',
      'wait "$c"; rc=$?',
      'kill "$w" 2>/dev/null',
    );
  } else lines.push('cp -a -- "$s/." "$t/" </dev/null; rc=$?');
  // A dir made in a setgid dir inherits the bit (Linux), and cp -a leaves it: clear it where the source's dir lacks it,
  // so the copy holds the modes the source holds (its verification compares them).
  lines.push(
    'if [ "$rc" -eq 0 ] && [ -g . ]; then',
    `  (cd -- "$t" && find . -type d -perm -2000 -exec sh -c 'r=$1; shift; for d do [ -g "$r/$d" ] || chmod g-s -- "$d" || exit 1; done' sh "$s" {} +) </dev/null; rc=$?`,
    'fi',
  );
  lines.push('if [ "$rc" -ne 0 ]; then rm -rf -- "$t"; exit "$rc"; fi');
  return lines.join('\n') + '\n';
}

/**
 * Removes the entries `drop` (a short list: entries the target already holds, the same) from clawfleet's own
 * copy `dest/tmp`, moves every other entry of it up into `dest` (none may exist there: checked for all before
 * the first move), then removes the empty `tmp`. Entries are taken by glob, so their names are the node's bytes.
 */
export function adoptEntriesScript(dest: Held, tmp: string, drop: string[]): string {
  const lines = [...enter(dest.base, dest.rel ? `${dest.rel}/${tmp}` : tmp), assignBytes('t', tmp)];
  drop.forEach((n, i) => lines.push(assignBytes(`n${i}`, n), `rm -rf -- "./$n${i}"`));
  return [
    ...lines,
    'set -- * .[!.]* ..?*',
    'n=0',
    'for e do',
    '  if [ ! -e "$e" ] && [ ! -L "$e" ]; then continue; fi',
    `  if [ -e "../$e" ] || [ -L "../$e" ]; then echo "$e already exists in $d/.." >&2; exit ${EXIT_EXISTS}; fi`,
    '  n=$((n+1))',
    'done',
    'if [ "$n" -gt 0 ]; then find . -mindepth 1 -maxdepth 1 -exec mv -t .. -- {} + </dev/null || exit $?; fi',
    'cd .. && rmdir -- "$t"',
  ].join('\n') + '\n';
}

/** Removes clawfleet's own temporary copy `tmp` inside `dest` (only ever a copy: its source is intact). */
export function dropCopyScript(dest: Held, tmp: string): string {
  return ['set -f', ...enter(dest.base, dest.rel), assignBytes('t', tmp), 'if [ -d "$t" ] && [ ! -L "$t" ]; then rm -rf -- "$t"; fi'].join('\n') + '\n';
}

/** The whole of a failed script's stderr as one line (never cut: the reason is what an operator needs). */
export function reasonOf(stderr: string, code: number): string {
  const text = stderr
    .split('\n')
    .map((l) => l.trim().replace(/^(cp|mv|rm|mkdir|find): /, ''))
    .filter(Boolean)
    .join('; ');
  return text || `exit ${code}`;
}

/** Maps a script's exit to a one-line error (null: it succeeded). */
export function scriptError(code: number, stderr: string, op: string): { code: ErrorCode; message: string } | null {
  if (code === 0) return null;
  const why = reasonOf(stderr, code);
  if (code === EXIT_EXISTS) return { code: 'EEXIST', message: `${op}: ${why}` };
  if (code === EXIT_MISSING) return { code: 'ENOENT', message: `${op}: ${why}` };
  if (code === EXIT_SWAPPED) return { code: 'NOFOLLOW', message: `${op}: ${why}` };
  return { code: /Permission denied/.test(why) ? 'EACCES' : /File name too long/.test(why) ? 'ENAMETOOLONG' : 'EIO', message: `${op} failed: ${why}` };
}
