import { encodeName, hasEscapedBytes } from '../facts/name-bytes.js';
import { shQuote } from './sh-quote.js';

/**
 * The shell side of copying a dir's entries and moving them about, shared by both transports (the local
 * transport runs the same text with /bin/sh). Each script works from a held working directory: it enters
 * the dir it writes in with `cd -P`, checks that `pwd -P` is the very path planned (a component swapped for
 * a link fails here, exit 41, before anything is written), and from then on names everything relative to
 * it, so a later swap of a component above cannot redirect a write.
 *
 * Names are bytes (facts/name-bytes.ts): a name that is not valid UTF-8 is rebuilt on the node with printf
 * octal escapes, so it reaches cp and mv exactly.
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

function enter(dir: string, physical: string): string[] {
  return [
    assignBytes('d', dir),
    assignBytes('pd', physical),
    `cd -P -- "$d" 2>/dev/null || { echo "cannot enter $d" >&2; exit ${EXIT_MISSING}; }`,
    `[ "$(pwd -P)" = "$pd" ] || { echo "a component of $d is not what was planned (a symlink?): $(pwd -P)" >&2; exit ${EXIT_SWAPPED}; }`,
  ];
}

export interface CopySpec {
  /** Dir whose entries are copied (absolute node path). */
  src: string;
  names: string[];
  /** Dir the copy is made in; `tmp`, a new dir in it, receives the entries. */
  dest: string;
  /** `dest` as `pwd -P` must print it (the host path on the local transport). */
  physicalDest: string;
  tmp: string;
}

/**
 * One `cp -a` of every entry, so hard links between them stay hard links, sparse files stay sparse (GNU cp's
 * default: holes are detected and kept), FIFOs stay FIFOs. A failed copy removes its own partial copy (the
 * source is never touched).
 */
export function copyEntriesScript(c: CopySpec): string {
  const lines = ['set -f', ...enter(c.dest, c.physicalDest), assignBytes('t', c.tmp), assignBytes('s', c.src)];
  lines.push(`if [ -e "$t" ] || [ -L "$t" ]; then echo "$t already exists" >&2; exit ${EXIT_EXISTS}; fi`);
  lines.push('set --');
  c.names.forEach((n, i) => {
    lines.push(assignBytes(`n${i}`, n), `if [ ! -e "$s/$n${i}" ] && [ ! -L "$s/$n${i}" ]; then echo "source $s/$n${i} does not exist" >&2; exit ${EXIT_MISSING}; fi`, `set -- "$@" "$s/$n${i}"`);
  });
  lines.push(`mkdir -m 700 -- "$t" || exit ${EXIT_EXISTS}`);
  lines.push('cp -a -- "$@" "$t/" </dev/null || { st=$?; rm -rf -- "$t"; exit $st; }');
  return lines.join('\n') + '\n';
}

export interface MoveSpec {
  /** The dir held while moving (absolute node path), and as `pwd -P` must print it. */
  base: string;
  physicalBase: string;
  /** Pairs of paths relative to `base` (or absolute, for a destination under clawfleet's own trusted state). */
  moves: { from: string; to: string }[];
  /** A missing source: skipped (undo, idempotent) or an error (apply). */
  missingOk: boolean;
}

/** Renames each `from` to `to` (never over something that exists), relative to a held `base`. */
export function moveEntriesScript(m: MoveSpec): string {
  const lines = ['set -f', ...enter(m.base, m.physicalBase)];
  m.moves.forEach((mv, i) => {
    lines.push(assignBytes(`a${i}`, mv.from), assignBytes(`b${i}`, mv.to));
    const missing = m.missingOk ? ':' : `{ echo "$a${i} does not exist" >&2; exit ${EXIT_MISSING}; }`;
    lines.push(
      `if [ -e "$a${i}" ] || [ -L "$a${i}" ]; then`,
      `  if [ -e "$b${i}" ] || [ -L "$b${i}" ]; then echo "$b${i} already exists" >&2; exit ${EXIT_EXISTS}; fi`,
      `  mv -- "$a${i}" "$b${i}" </dev/null || exit $?`,
      `else ${missing}; fi`,
    );
  });
  return lines.join('\n') + '\n';
}

/** Removes clawfleet's own temporary copy `tmp` inside a held `base` (only ever a copy: the source is intact). */
export function dropCopyScript(base: string, physicalBase: string, tmp: string): string {
  return ['set -f', ...enter(base, physicalBase), assignBytes('t', tmp), 'if [ -d "$t" ] && [ ! -L "$t" ]; then rm -rf -- "$t"; fi'].join('\n') + '\n';
}

/** The whole of a failed script's stderr as one line (never cut: the reason is what an operator needs). */
export function reasonOf(stderr: string, code: number): string {
  const text = stderr.replace(/\s*\n\s*/g, '; ').replace(/^cp: |^mv: /, '').trim();
  return text || `exit ${code}`;
}

/** What a transport runs for the entry operations of the NodeWriter (copyEntries, moveEntries, dropCopy). */
export interface EntryOps {
  copyEntries(c: { src: string; names: string[]; dest: string; tmp: string }): Promise<void>;
  moveEntries(m: { base: string; moves: { from: string; to: string }[]; missingOk: boolean }): Promise<void>;
  dropCopy(base: string, tmp: string): Promise<void>;
}

/** Maps a script's exit to the one-line error of `node` about `path` (null: it succeeded). */
export function scriptError(code: number, stderr: string, op: string): { code: string; message: string } | null {
  if (code === 0) return null;
  const why = reasonOf(stderr, code);
  if (code === EXIT_EXISTS) return { code: 'EEXIST', message: `${op}: ${why}` };
  if (code === EXIT_MISSING) return { code: 'ENOENT', message: `${op}: ${why}` };
  if (code === EXIT_SWAPPED) return { code: 'NOFOLLOW', message: `${op}: ${why}` };
  return { code: /Permission denied/.test(why) ? 'EACCES' : /File name too long/.test(why) ? 'ENAMETOOLONG' : 'EIO', message: `${op} failed: ${why}` };
}
