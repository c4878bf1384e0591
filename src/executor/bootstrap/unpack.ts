import { shQuote } from '../../transport/sh-quote.js';

/**
 * An install into `<dest>.clawfleet-partial`, renamed to `dest` once `body` succeeded (never a half install at
 * `dest`). Refuses when `dest` exists or the prefix is a symlink. POSIX sh.
 */
function stagedInstall(prefix: string, dest: string, body: string[]): string {
  return [
    'set -e',
    `p=${shQuote(prefix)}; d=${shQuote(dest)}; t="$d.clawfleet-partial"`,
    'if [ -L "$p" ]; then echo "clawfleet: $p is a symlink: refusing to install through it" >&2; exit 3; fi',
    'if [ -e "$d" ] || [ -L "$d" ]; then echo "clawfleet: $d exists" >&2; exit 3; fi',
    'mkdir -p -- "$p"',
    'rm -rf -- "$t"',
    'mkdir -- "$t"',
    ...body,
    'mv -- "$t" "$d"',
  ].join('\n');
}

/** Node side of a push: a tarball on stdin is unpacked in the staged install. */
export function unpackScript(prefix: string, dest: string): string {
  return stagedInstall(prefix, dest, ['tar -xzf - -C "$t" --no-same-owner']);
}

/** Where no tarball is pushed: npm on the node installs `openclaw@version` into `dest` the same way. */
export function npmInstallScript(prefix: string, dest: string, version: string, timeoutS: number): string {
  return stagedInstall(prefix, dest, [
    `if command -v timeout >/dev/null 2>&1; then set -- timeout ${timeoutS}; else set --; fi`,
    `"$@" npm install --prefix "$t" --no-audit --no-fund --no-save --loglevel=error ${shQuote(`openclaw@${version}`)} </dev/null`,
  ]);
}
