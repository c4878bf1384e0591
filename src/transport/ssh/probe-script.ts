import { ClawError } from '../../domain/errors.js';
import type { DirChild, Manifest, ManifestEntry, PathFact, ProbeRequest, ProbeResult } from '../../domain/facts.js';
import { makeManifest, manifestEntry, specialOf } from '../../facts/manifest.js';
import { decodeName } from '../../facts/name-bytes.js';
import { shQuote } from '../sh-quote.js';

/**
 * A ProbeRequest as ONE POSIX sh script (fed to `/bin/sh -s` on stdin), and its output parsed back.
 *
 * The script never evaluates a name: requested paths are shQuote'd words, found names only ever travel as
 * arguments ("$@") or through `printf %s`. Tools: sh builtins, `find` (-mindepth/-maxdepth/-exec {} +),
 * `stat -c`, `sha256sum`, `readlink`, `base64`. Processes are batched (find -exec {} +), so a big tree costs a
 * few processes per few thousand entries, not per entry. Where `find` is GNU find (checked by the script
 * itself), lstat data and symlink targets come from its -printf: no `stat`/`readlink` process at all.
 *
 * Output: NUL-terminated fields. `CLAWPROBE1`, then per section (`=S` stat, `=L` list, `=M` manifest,
 * `=R` read) records keyed by full path:
 *   T path c      top-level kind of a list/manifest/read path: d (real dir), f (real file), o (anything else)
 *   M path "hexmode size"   lstat of a path (`stat -c '%f %s'`)
 *   P path "t octmode size" the same from GNU find's -printf (`%y %m %s`), no process per path
 *   H path sha256           a regular file's hash
 *   K path target           a symlink's target
 *   B path base64           a read file's content
 *   N path                  does not exist (or vanished while probing)
 *   E path reason           EACCES / EIO
 *   F message               find could not read the whole tree
 * and `=Z` at the very end (so truncated output is detected).
 */

const MAGIC = 'CLAWPROBE1';

/** Raw sh text; `@{` stands for `${` (which a template literal would take as its own substitution). */
function sh(parts: TemplateStringsArray): string {
  return parts.raw.join('').replace(/@\{/g, '${');
}
/** Paths per find invocation (keeps argv far below ARG_MAX). */
const CHUNK = 200;

// Shared sh definitions: `cls` classifies a path lstat cannot see (N, or E EACCES when an ancestor is not
// searchable), using test builtins only; `one` emits the M record of one path (or N/E).
const DEFS = sh`set -f
LC_ALL=C; export LC_ALL
nl='
'
cls() {
  q=$1
  while :; do
    case $q in */*) q=@{q%/*} ;; *) q= ;; esac
    if [ -z "$q" ]; then printf 'N\000%s\000' "$1"; return; fi
    if [ -d "$q" ]; then
      if [ -x "$q" ]; then printf 'N\000%s\000' "$1"; else printf 'E\000%s\000EACCES\000' "$1"; fi
      return
    fi
    if [ -e "$q" ] || [ -L "$q" ]; then printf 'N\000%s\000' "$1"; return; fi
  done
}
one() {
  if m=$(stat -c '%f %s' -- "$1" 2>/dev/null); then printf 'M\000%s\000%s\000' "$1" "$m"; else cls "$1"; fi
}
`;

// Batch scripts run by `find -exec /bin/sh -c SCRIPT sh {} +`; each always exits 0.
const META = DEFS + sh`if m=$(stat -c '%f %s' -- "$@" 2>/dev/null); then
  printf '%s\n' "$m" | { for p do IFS= read -r l; printf 'M\000%s\000%s\000' "$p" "$l"; done; }
else
  for p do one "$p"; done
fi
exit 0
`;

const HASH = DEFS + sh`ok=1
for p do case $p in *"$nl"*) ok=0; break ;; esac; done
if [ $ok = 1 ] && h=$(sha256sum -- "$@" 2>/dev/null); then
  printf '%s\n' "$h" | { for p do read -r x y; case $x in \\*) x=@{x#?} ;; esac; printf 'H\000%s\000%s\000' "$p" "$x"; done; }
else
  for p do
    if h=$(sha256sum 2>/dev/null <"$p"); then printf 'H\000%s\000%s\000' "$p" "@{h%% *}"
    elif [ -e "$p" ]; then printf 'E\000%s\000EACCES\000' "$p"
    else printf 'N\000%s\000' "$p"; fi
  done
fi
exit 0
`;

const LINK = DEFS + sh`for p do
  if t=$(readlink -- "$p" 2>/dev/null && echo x); then printf 'K\000%s\000%s\000' "$p" "@{t%?x}"
  elif [ -L "$p" ]; then printf 'E\000%s\000EIO\000' "$p"
  else printf 'N\000%s\000' "$p"; fi
done
exit 0
`;

// Main-script helpers. `top` classifies a list/manifest/read path; `walk` runs find with the batch
// scripts, reporting find's own failure as an F record.
const MAIN_DEFS = sh`top() {
  if [ -L "$1" ]; then printf 'T\000%s\000o\000' "$1"
  elif [ -d "$1" ]; then printf 'T\000%s\000d\000' "$1"
  elif [ -f "$1" ]; then printf 'T\000%s\000f\000' "$1"
  elif [ -e "$1" ]; then printf 'T\000%s\000o\000' "$1"
  else cls "$1"; fi
}
walk() {
  if { fe=$(find "$@" 2>&1 >&3 3>&-); } 3>&1; then :; else printf 'F\000%s\000' "$fe"; fi
}
`;

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

function chunks<T>(xs: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += CHUNK) out.push(xs.slice(i, i + CHUNK));
  return out;
}

const words = (ps: string[]): string => ps.map(shQuote).join(' ');
const FULL = String.raw`\( -exec /bin/sh -c "$meta" sh {} + \) \( -type f -exec /bin/sh -c "$hash" sh {} + -o -type l -exec /bin/sh -c "$link" sh {} + \)`;
/** GNU find: the P record (type, permission bits, size) and symlink targets without a process per path. */
const GNU_META = String.raw`-printf 'P\000%p\000%y %m %s\000'`;
const GNU_FULL = String.raw`${GNU_META} \( -type f -exec /bin/sh -c "$hash" sh {} + -o -type l -printf 'K\000%p\000%l\000' \)`;

export interface ProbeScriptOptions {
  /** Never use GNU find's -printf (tests of the portable path). */
  portable?: boolean;
  /** Whether the node's find is GNU find, when a previous probe found out (else the script checks). */
  gnuFind?: boolean;
}

/** After a probe's output: whether the script found GNU find (its `=G` record), if it checked. */
export function probeFoundGnuFind(stdout: Buffer): boolean | undefined {
  const head = stdout.subarray(0, 32).toString('latin1');
  return head.startsWith(`${MAGIC}\0=G\0`) ? head[MAGIC.length + 4] === '1' : undefined;
}

/** `if GNU find; then A; else B; fi` as one line. */
function eitherFind(gnu: string, portable: string): string {
  return `if [ "$gnu" = 1 ]; then ${gnu}; else ${portable}; fi`;
}

/** The whole probe as one sh script. Run it as `/bin/sh -s` with the script on stdin. */
export function buildProbeScript(req: ProbeRequest, opts: ProbeScriptOptions = {}): string {
  const stat = uniq(req.stat);
  const list = uniq(req.list);
  const manifest = uniq(req.manifest);
  const read = uniq(req.read);
  const s: string[] = [];
  s.push('{', DEFS, MAIN_DEFS);
  s.push(`meta=${shQuote(META)}`, `hash=${shQuote(HASH)}`, `link=${shQuote(LINK)}`);
  const needFind = stat.length + list.length + manifest.length > 0;
  s.push(`printf '%s\\000' ${MAGIC}`);
  if (opts.portable || !needFind) s.push('gnu=0');
  else if (opts.gnuFind !== undefined) s.push(`gnu=${opts.gnuFind ? 1 : 0}`);
  else s.push(`gnu=0; if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then gnu=1; fi; printf '=G\\000%s\\000' $gnu`);

  s.push(`printf '=S\\000'`);
  for (const c of chunks(stat)) {
    s.push('set --');
    s.push(`for p in ${words(c)}; do if [ -e "$p" ] || [ -L "$p" ]; then set -- "$@" "$p"; else cls "$p"; fi; done`);
    s.push(`if [ $# -gt 0 ]; then ${eitherFind(`find "$@" -maxdepth 0 ${GNU_FULL} 2>/dev/null`, `find "$@" -maxdepth 0 ${FULL} 2>/dev/null`)}; fi`);
  }

  s.push(`printf '=L\\000'`);
  for (const c of chunks(list)) {
    s.push('set --');
    s.push(`for p in ${words(c)}; do top "$p"; if [ -d "$p" ] && [ ! -L "$p" ]; then set -- "$@" "$p"; fi; done`);
    s.push(`if [ $# -gt 0 ]; then ${eitherFind(`walk "$@" -mindepth 1 -maxdepth 1 ${GNU_META}`, `walk "$@" -mindepth 1 -maxdepth 1 -exec /bin/sh -c "$meta" sh {} +`)}; fi`);
  }

  s.push(`printf '=M\\000'`);
  for (const c of chunks(manifest)) {
    s.push('set --');
    s.push(`for p in ${words(c)}; do top "$p"; if [ -d "$p" ] && [ ! -L "$p" ]; then set -- "$@" "$p"; fi; done`);
    s.push(`if [ $# -gt 0 ]; then ${eitherFind(`walk "$@" -mindepth 1 ${GNU_FULL}`, `walk "$@" -mindepth 1 ${FULL}`)}; fi`);
  }

  s.push(`printf '=R\\000'`);
  for (const p of read) {
    s.push(
      `p=${shQuote(p)}; top "$p"`,
      `if [ -f "$p" ] && [ ! -L "$p" ]; then if b=$(base64 2>/dev/null <"$p"); then printf 'B\\000%s\\000%s\\000' "$p" "$b"; ` +
        `elif [ -r "$p" ]; then printf 'E\\000%s\\000EIO\\000' "$p"; else printf 'E\\000%s\\000EACCES\\000' "$p"; fi; fi`,
    );
  }
  s.push(`printf '=Z\\000'`, 'exit 0', '} </dev/null', '');
  return s.join('\n');
}

// ---------------------------------------------------------------- parsing

interface Rec {
  meta?: string;
  hash?: string;
  target?: string;
  content?: string;
  top?: string;
  missing?: boolean;
  error?: string;
}

interface Section {
  recs: Map<string, Rec>;
  findError?: string;
}

const S_IFMT = 0o170000;

function kindOfMode(mode: number): PathFact['kind'] {
  switch (mode & S_IFMT) {
    case 0o040000:
      return 'dir';
    case 0o100000:
      return 'file';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

function splitFields(out: Buffer): string[] {
  const fields: string[] = [];
  let start = 0;
  for (;;) {
    const i = out.indexOf(0, start);
    if (i < 0) break;
    fields.push(decodeName(out.subarray(start, i))); // names are bytes: facts/name-bytes.ts
    start = i + 1;
  }
  return fields;
}

function fail(code: string, message: string, path: string | undefined, node: string | undefined): never {
  throw new ClawError(code, message, { node, path });
}

function reasonText(reason: string): string {
  return reason === 'EACCES' ? 'permission denied' : 'cannot read';
}

/** Turn the probe's output back into a ProbeResult (keys are the request's own path strings). */
export function parseProbeOutput(req: ProbeRequest, stdout: Buffer | string, node?: string): ProbeResult {
  const buf = typeof stdout === 'string' ? Buffer.from(stdout, 'utf8') : stdout;
  const start = buf.indexOf(MAGIC + '\0');
  if (start < 0) fail('EIO', 'probe produced no output (is /bin/sh a POSIX shell?)', undefined, node);
  const f = splitFields(buf.subarray(start));
  const sections = new Map<string, Section>();
  let cur: Section | undefined;
  let done = false;
  const rec = (p: string): Rec => {
    if (!cur) fail('EIO', 'malformed probe output', undefined, node);
    let r = cur.recs.get(p);
    if (!r) cur.recs.set(p, (r = {}));
    return r;
  };
  let i = 1;
  const next = (): string => {
    if (i >= f.length) fail('EIO', 'truncated probe output', undefined, node);
    return f[i++]!;
  };
  while (i < f.length && !done) {
    const tag = next();
    switch (tag) {
      case '=S':
      case '=L':
      case '=M':
      case '=R':
        cur = { recs: new Map() };
        sections.set(tag, cur);
        break;
      case '=Z':
        done = true;
        break;
      case '=G':
        next(); // whether find is GNU find: see probeFoundGnuFind
        break;
      case 'T': {
        const p = next();
        rec(p).top = next();
        break;
      }
      case 'M': {
        const p = next();
        rec(p).meta = next();
        break;
      }
      case 'P': {
        const p = next();
        rec(p).meta = metaOfPrintf(next(), node);
        break;
      }
      case 'H': {
        const p = next();
        rec(p).hash = next();
        break;
      }
      case 'K': {
        const p = next();
        rec(p).target = next();
        break;
      }
      case 'B': {
        const p = next();
        rec(p).content = next();
        break;
      }
      case 'N':
        rec(next()).missing = true;
        break;
      case 'E': {
        const p = next();
        rec(p).error = next();
        break;
      }
      case 'F':
        if (!cur) fail('EIO', 'malformed probe output', undefined, node);
        cur.findError ??= next();
        break;
      default:
        fail('EIO', `malformed probe output (record ${JSON.stringify(tag.slice(0, 20))})`, undefined, node);
    }
  }
  if (!done) fail('EIO', 'truncated probe output', undefined, node);
  const sec = (k: string): Section => sections.get(k) ?? { recs: new Map() };

  const result: ProbeResult = { stat: {}, manifest: {}, list: {}, read: {} };
  const S = sec('=S');
  for (const p of req.stat ?? []) {
    const np = normalizeProbePath(p);
    result.stat[p] = factOf(np, S.recs.get(np), node) ?? { kind: 'missing' };
  }

  const L = sec('=L');
  const listed = new Map<string, DirChild[]>();
  for (const p of req.list ?? []) {
    const np = normalizeProbePath(p);
    if (topIsDir(np, L, node)) listed.set(np, []);
  }
  if (listed.size > 0) {
    for (const [path, r] of L.recs) {
      const cut = path.lastIndexOf('/');
      const children = listed.get(cut === 0 ? '/' : path.slice(0, cut));
      const name = path.slice(cut + 1);
      if (!children || !name) continue;
      if (r.error) fail(r.error, reasonText(r.error), path, node);
      if (r.meta === undefined) continue; // vanished while listing
      children.push({ name, kind: kindOfMode(parseMeta(r.meta).mode) });
    }
  }
  for (const p of req.list ?? []) {
    const children = listed.get(normalizeProbePath(p));
    result.list[p] = children ? [...children].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : null;
  }

  const M = sec('=M');
  const wanted = new Map<string, ManifestEntry[]>();
  for (const p of req.manifest ?? []) {
    const np = normalizeProbePath(p);
    if (topIsDir(np, M, node)) wanted.set(np, []);
  }
  if (wanted.size > 0) {
    for (const [path, r] of M.recs) {
      const owners = ownersOf(path, wanted);
      if (owners.length === 0) continue;
      const fact = factOf(path, r, node);
      if (!fact || fact.kind === 'missing') continue;
      for (const root of owners) {
        const rel = path.slice(root === '/' ? 1 : root.length + 1);
        wanted.get(root)!.push(manifestEntry(rel, fact));
      }
    }
  }
  for (const p of req.manifest ?? []) {
    const np = normalizeProbePath(p);
    const entries = wanted.get(np);
    result.manifest[p] = entries ? makeManifest(entries) : null;
  }

  const R = sec('=R');
  for (const p of req.read ?? []) {
    const np = normalizeProbePath(p);
    const r = R.recs.get(np);
    if (r?.error) fail(r.error, reasonText(r.error), np, node);
    result.read[p] = r?.top === 'f' && r.content !== undefined ? Buffer.from(r.content.replace(/\s+/g, ''), 'base64').toString('utf8') : null;
  }
  return result;

  function topIsDir(np: string, s: Section, n: string | undefined): boolean {
    const r = s.recs.get(np);
    if (r?.error) fail(r.error, reasonText(r.error), np, n);
    if (r?.top !== 'd') return false;
    if (s.findError !== undefined) {
      const lines = s.findError.split('\n').filter((l) => l.trim());
      // GNU/BusyBox: "find: '/a/b': Permission denied" — blame the requested dirs holding that path.
      const mine = lines.filter((l) => {
        const q = /'(\/[^']*)'/.exec(l)?.[1];
        return q === undefined || q === np || q.startsWith(np === '/' ? '/' : np + '/');
      });
      if (lines.length > 0 && mine.length === 0) return true;
      const msg = mine[0] ?? 'find failed';
      fail(/Permission denied/.test(msg) ? 'EACCES' : 'EIO', `cannot read the whole tree: ${msg.replace(/^find: /, '')}`, np, n);
    }
    return true;
  }
}

/** Requested manifest roots that hold `path` (a path can sit below nested requested roots). */
function ownersOf(path: string, roots: Map<string, unknown>): string[] {
  const out: string[] = [];
  if (roots.has('/') && path !== '/') out.push('/');
  for (let i = path.indexOf('/', 1); i > 0; i = path.indexOf('/', i + 1)) {
    const anc = path.slice(0, i);
    if (roots.has(anc)) out.push(anc);
  }
  return out;
}

/** File-type bits of GNU find's %y letters. */
const TYPE_BITS: Record<string, number> = { d: 0o040000, f: 0o100000, l: 0o120000, p: 0o010000, c: 0o020000, b: 0o060000, s: 0o140000 };

/** A P record ("t octmode size") as the M record's "hexmode size". */
function metaOfPrintf(v: string, node: string | undefined): string {
  const m = /^([a-zA-Z]) ([0-7]+) (\d+)$/.exec(v);
  if (!m) fail('EIO', `malformed find output ${JSON.stringify(v.slice(0, 40))}`, undefined, node);
  const type = TYPE_BITS[m[1]!] ?? 0; // anything else (door, unknown) is 'other', as any unknown mode is
  return `${(type | (parseInt(m[2]!, 8) & 0o7777)).toString(16)} ${m[3]}`;
}

function parseMeta(meta: string): { mode: number; size: number } {
  const m = /^([0-9a-fA-F]+) (\d+)$/.exec(meta.trim());
  if (!m) throw new ClawError('EIO', `malformed stat output ${JSON.stringify(meta.slice(0, 40))}`);
  return { mode: parseInt(m[1]!, 16), size: Number(m[2]) };
}

/** The PathFact of one path's records; undefined when nothing was reported (vanished). */
function factOf(path: string, r: Rec | undefined, node: string | undefined): PathFact | undefined {
  if (!r) return undefined;
  if (r.error) fail(r.error, reasonText(r.error), path, node);
  if (r.meta === undefined) return r.missing ? { kind: 'missing' } : undefined;
  let meta;
  try {
    meta = parseMeta(r.meta);
  } catch (e) {
    fail('EIO', (e as Error).message, path, node);
  }
  const kind = kindOfMode(meta.mode);
  const mode = meta.mode & 0o7777;
  switch (kind) {
    case 'dir':
      return { kind: 'dir', mode };
    case 'file':
      if (r.hash === undefined || !/^[0-9a-f]{64}$/.test(r.hash)) {
        if (r.missing) return { kind: 'missing' };
        fail('EIO', 'could not hash the file', path, node);
      }
      return { kind: 'file', mode, size: meta.size, sha256: r.hash };
    case 'symlink':
      if (r.target === undefined) {
        if (r.missing) return { kind: 'missing' };
        fail('EIO', 'could not read the symlink', path, node);
      }
      return { kind: 'symlink', target: r.target };
    default: {
      const special = specialOf(meta.mode);
      return special ? { kind: 'other', mode, special } : { kind: 'other', mode };
    }
  }
}


export type { Manifest };
