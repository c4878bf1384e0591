import { readFileSync } from 'node:fs';
import { ClawError } from '../../domain/errors.js';
import type { ProbeRequest } from '../../domain/facts.js';
import { encodeName, hasEscapedBytes } from '../../shared/name-bytes.js';
import { shQuote } from '../sh-quote.js';
import { GNU_FIND_MARKER, PROBE_MAGIC, SECTION } from './probe-records.js';

/**
 * How a ProbeRequest reaches the node: probe.sh's text (constant) as the command, the request as data on
 * its stdin. See probe.sh for the request format.
 */

/** probe.sh ships next to this module: in src/ and dist/transport/ssh/ (tsc + scripts/copy-assets.mjs), and
 * next to the bundle in dist/bin/ (scripts/bundle.mjs). */
const SCRIPT_FILE = 'probe.sh';
let scriptText: string | undefined;

/** The text of probe.sh, read once. */
export function probeScriptText(): string {
  if (scriptText !== undefined) return scriptText;
  const here = new URL(SCRIPT_FILE, import.meta.url);
  try {
    scriptText = readFileSync(here, 'utf8');
  } catch {
    throw new ClawError('INSTALL', `${SCRIPT_FILE} is missing next to ${new URL('.', import.meta.url).pathname} (run npm run build)`);
  }
  return scriptText;
}

/** /bin/sh's arguments that run the probe: probe.sh's text is one argument, evaluated as it is. */
export function probeShArgs(): string[] {
  return ['-c', 'eval "$1"', 'clawprobe', probeScriptText()];
}

/** The exec command line (the login shell runs it): /bin/sh with probeShArgs, each a single quoted word. */
export function probeCommand(): string {
  return ['/bin/sh', ...probeShArgs().map(shQuote)].join(' ');
}

/** Strip trailing slashes ("/a/b/" → "/a/b"; "//" → "/"). Paths must be absolute. */
export function normalizeProbePath(p: string): string {
  if (!p.startsWith('/')) throw new ClawError('EPATH', 'not an absolute path', { path: p });
  if (p.includes('\0')) throw new ClawError('EPATH', 'NUL byte in path', { path: p });
  const s = p.replace(/\/+$/, '');
  return s === '' ? '/' : s;
}

function uniq(paths: string[] | undefined): string[] {
  return [...new Set((paths ?? []).map(normalizeProbePath))];
}

/**
 * One request line: the path itself, or `%` + printf-%b escapes when it holds a newline or a byte that is not
 * valid UTF-8 (shared/name-bytes.ts: such a byte is sent as `\0ooo`, so the node gets the very bytes).
 */
function pathLine(p: string): string {
  if (hasEscapedBytes(p)) {
    let out = '%';
    for (const b of encodeName(p)) {
      if (b === 0x5c) out += '\\\\';
      else if (b === 0x0a) out += '\\n';
      else if (b >= 0x80) out += '\\0' + b.toString(8).padStart(3, '0');
      else out += String.fromCharCode(b);
    }
    return out;
  }
  return p.includes('\n') ? '%' + p.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : p;
}

/** Requests longer than this are read by one `cat` on the node; shorter ones by sh's read, a system call a byte. */
const READ_WHOLE_FROM = 4096;

export interface ProbeOptions {
  /** Never use GNU find's -printf (tests of the portable path). */
  portable?: boolean;
  /** Whether the node's find is GNU find, when a previous probe found out (else the probe checks). */
  gnuFind?: boolean;
}

/** The request as probe.sh reads it on stdin. Throws EPATH on a relative path or a NUL byte. */
export function encodeProbeRequest(req: ProbeRequest, opts: ProbeOptions = {}): string {
  const sections: [string, string[]][] = [
    [SECTION.stat, uniq(req.stat)],
    [SECTION.list, uniq(req.list)],
    [SECTION.manifest, uniq(req.manifest)],
    [SECTION.quick, uniq(req.quick)],
    [SECTION.read, uniq(req.read)],
  ];
  const access = uniq(req.access);
  if (access.length > 0) sections.push([SECTION.access, access]);
  const needFind = sections.slice(0, 4).some(([, ps]) => ps.length > 0);
  const find = opts.portable || !needFind ? 'portable' : opts.gnuFind === undefined ? 'detect' : opts.gnuFind ? 'gnu' : 'portable';
  const lines = [`find ${find}`];
  for (const [marker, paths] of sections) lines.push(marker.slice(1), ...paths.map(pathLine));
  lines.push(SECTION.end.slice(1), '');
  const body = lines.join('\n');
  return `${body.length > READ_WHOLE_FROM ? 'whole' : 'lines'}\n${body}`;
}

/** After a probe's output: whether probe.sh found GNU find (its `=G` record), if it checked. */
export function probeFoundGnuFind(stdout: Buffer): boolean | undefined {
  const head = stdout.subarray(0, 32).toString('latin1');
  const prefix = `${PROBE_MAGIC}\0${GNU_FIND_MARKER}\0`;
  return head.startsWith(prefix) ? head[prefix.length] === '1' : undefined;
}
