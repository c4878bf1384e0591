import { ClawError, type ErrorCode } from '../../domain/errors.js';
import type { DirChild, ManifestEntry, PathFact, ProbeRequest, ProbeResult } from '../../domain/facts.js';
import { makeManifest, manifestEntry, specialOf } from '../../shared/manifest.js';
import { decodeName } from '../../shared/name-bytes.js';
import { normalizeProbePath } from './probe-request.js';
import { GNU_FIND_MARKER, META_FIELDS, PROBE_MAGIC, RECORD, RECORD_BY_TAG, SECTION, type Meta, type RecordName } from './probe-records.js';

/** What the records of one path said. */
interface Rec {
  meta?: string;
  writable?: string;
  hash?: string;
  stamp?: string;
  target?: string;
  content?: string;
  top?: string;
  missing?: boolean;
  error?: string;
}

interface Section {
  recs: Map<string, Rec>;
  findError?: string;
  /** The node's clock as the section's walk began (a C record). */
  clock?: number;
}

type Fail = (code: string, message: string, path?: string) => never;

/** One handler per record kind (a record added to RECORD without one here does not compile). */
const STORE: { [K in RecordName]: (values: string[], section: Section, rec: (p: string) => Rec, fail: Fail) => void } = {
  top: ([p, kind], _s, rec) => void (rec(p!).top = kind),
  lstat: ([p, meta], _s, rec) => void (rec(p!).meta = meta),
  findLstat: ([p, meta], _s, rec, fail) => void (rec(p!).meta = metaOfPrintf(meta!, fail)),
  hash: ([p, h], _s, rec) => void (rec(p!).hash = h),
  stamp: ([p, st], _s, rec) => void (rec(p!).stamp = st),
  clock: ([now], s) => void (/^\d+$/.test(now!) && (s.clock = Number(now))),
  target: ([p, t], _s, rec) => void (rec(p!).target = t),
  content: ([p, b], _s, rec) => void (rec(p!).content = b),
  writable: ([p, ok], _s, rec) => void (rec(p!).writable = ok),
  missing: ([p], _s, rec) => void (rec(p!).missing = true),
  error: ([p, reason], _s, rec) => void (rec(p!).error = reason),
  findError: ([message], s) => void (s.findError ??= message),
};

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
  for (let start = 0; ; ) {
    const i = out.indexOf(0, start);
    if (i < 0) return fields;
    fields.push(decodeName(out.subarray(start, i))); // names are bytes: shared/name-bytes.ts
    start = i + 1;
  }
}

function reasonText(reason: string): string {
  return reason === 'EACCES' ? 'permission denied' : 'cannot read';
}

/** The output's sections, by marker. */
function readSections(buf: Buffer, fail: Fail): Map<string, Section> {
  const start = buf.indexOf(PROBE_MAGIC + '\0');
  if (start < 0) fail('EIO', 'probe produced no output (is /bin/sh a POSIX shell?)');
  const f = splitFields(buf.subarray(start));
  const sections = new Map<string, Section>();
  const markers = new Set<string>(Object.values(SECTION));
  let cur: Section | undefined;
  const rec = (p: string): Rec => {
    if (!cur) fail('EIO', 'malformed probe output');
    let r = cur.recs.get(p);
    if (!r) cur.recs.set(p, (r = {}));
    return r;
  };
  let i = 1;
  const next = (): string => (i < f.length ? f[i++]! : fail('EIO', 'truncated probe output'));
  while (i < f.length) {
    const tag = next();
    if (tag === SECTION.end) return sections;
    if (tag === GNU_FIND_MARKER) {
      next(); // whether find is GNU find: see probeFoundGnuFind
      continue;
    }
    if (markers.has(tag)) {
      sections.set(tag, (cur = { recs: new Map() }));
      continue;
    }
    const name = RECORD_BY_TAG.get(tag);
    if (!name) fail('EIO', `malformed probe output (record ${JSON.stringify(tag.slice(0, 20))})`);
    if (!cur) fail('EIO', 'malformed probe output');
    const values = RECORD[name].fields.map(next);
    STORE[name](values, cur, rec, fail);
  }
  return fail('EIO', 'truncated probe output');
}

/** Turn the probe's output back into a ProbeResult (keys are the request's own path strings). */
export function parseProbeOutput(req: ProbeRequest, stdout: Buffer | string, node?: string): ProbeResult {
  const fail: Fail = (code, message, path) => {
    throw new ClawError(code as ErrorCode, message, { node, path }); // an errno code of the node, or EIO
  };
  const buf = typeof stdout === 'string' ? Buffer.from(stdout, 'utf8') : stdout;
  const sections = readSections(buf, fail);
  const sec = (k: string): Section => sections.get(k) ?? { recs: new Map() };
  const result: ProbeResult = { stat: {}, manifest: {}, list: {}, read: {} };

  const S = sec(SECTION.stat);
  for (const p of req.stat ?? []) {
    const np = normalizeProbePath(p);
    result.stat[p] = factOf(np, S.recs.get(np), fail) ?? { kind: 'missing' };
  }

  const L = sec(SECTION.list);
  const listed = requestedDirs<DirChild>(req.list, L, fail);
  if (listed.size > 0) {
    for (const [path, r] of L.recs) {
      const cut = path.lastIndexOf('/');
      const children = listed.get(cut === 0 ? '/' : path.slice(0, cut));
      const name = path.slice(cut + 1);
      if (!children || !name) continue;
      if (r.error) fail(r.error, reasonText(r.error), path);
      if (r.meta === undefined) continue; // vanished while listing
      children.push({ name, kind: kindOfMode(parseMeta(r.meta, path, fail).mode) });
    }
  }
  for (const p of req.list ?? []) {
    const children = listed.get(normalizeProbePath(p));
    result.list[p] = children ? [...children].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : null;
  }

  const M = sec(SECTION.manifest);
  const wanted = requestedDirs<ManifestEntry>(req.manifest, M, fail);
  if (wanted.size > 0) {
    for (const [path, r] of M.recs) {
      const owners = ownersOf(path, wanted);
      if (owners.length === 0) continue;
      const fact = factOf(path, r, fail);
      if (!fact || fact.kind === 'missing') continue;
      for (const root of owners) wanted.get(root)!.push(stamped(manifestEntry(path.slice(root === '/' ? 1 : root.length + 1), fact), r));
    }
  }
  for (const p of req.manifest ?? []) {
    const entries = wanted.get(normalizeProbePath(p));
    result.manifest[p] = entries ? withClock(makeManifest(entries), M.clock) : null;
  }

  if (req.quick) {
    const Q = sec(SECTION.quick);
    const roots = new Map<string, ManifestEntry[]>();
    for (const p of req.quick) {
      const np = normalizeProbePath(p);
      if (topIsDir(np, Q, fail)) roots.set(np, []);
    }
    for (const [path, r] of Q.recs) {
      const owners = ownersOf(path, roots);
      if (owners.length === 0) continue;
      const e = quickEntry(path, r, fail);
      if (e) for (const root of owners) roots.get(root)!.push({ ...e, rel: path.slice(root === '/' ? 1 : root.length + 1) });
    }
    result.quick = {};
    for (const p of req.quick) {
      const entries = roots.get(normalizeProbePath(p));
      result.quick[p] = entries ? makeManifest(entries) : null;
    }
  }

  const R = sec(SECTION.read);
  for (const p of req.read ?? []) {
    const np = normalizeProbePath(p);
    const r = R.recs.get(np);
    if (r?.error) fail(r.error, reasonText(r.error), np);
    result.read[p] = r?.top === 'f' && r.content !== undefined ? Buffer.from(r.content.replace(/\s+/g, ''), 'base64').toString('utf8') : null;
  }

  if (req.access) {
    const A = sec(SECTION.access);
    result.access = {};
    for (const p of req.access) {
      const np = normalizeProbePath(p);
      const r = A.recs.get(np);
      if (r?.error) fail(r.error, reasonText(r.error), np);
      if (r?.writable !== undefined) result.access[p] = r.writable === '1';
    }
  }
  return result;
}

/** Whether a list/manifest path is a real dir that find read whole (a find failure under it is an error). */
/** The requested paths (normalized) that are dirs in section `s`, each with an empty list to fill. */
function requestedDirs<T>(paths: string[] | undefined, s: Section, fail: Fail): Map<string, T[]> {
  const dirs = new Map<string, T[]>();
  for (const p of paths ?? []) {
    const np = normalizeProbePath(p);
    if (topIsDir(np, s, fail)) dirs.set(np, []);
  }
  return dirs;
}

function topIsDir(np: string, s: Section, fail: Fail): boolean {
  const r = s.recs.get(np);
  if (r?.error) fail(r.error, reasonText(r.error), np);
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
    fail(/Permission denied/.test(msg) ? 'EACCES' : 'EIO', `cannot read the whole tree: ${msg.replace(/^find: /, '')}`, np);
  }
  return true;
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

/** A P record ("t octmode size …") in the M record's form ("hexmode size …"). */
function metaOfPrintf(v: string, fail: Fail): string {
  const m = /^([a-zA-Z]) ([0-7]+)((?: \d+)+)$/.exec(v);
  if (!m) fail('EIO', `malformed find output ${JSON.stringify(v.slice(0, 40))}`);
  const type = TYPE_BITS[m[1]!] ?? 0; // anything else (door, unknown) is 'other', as any unknown mode is
  return `${(type | (parseInt(m[2]!, 8) & 0o7777)).toString(16)}${m[3]}`;
}

/** An M record's value as META_FIELDS: the mode in hex (type bits included), every other field decimal. */
function parseMeta(meta: string, path: string, fail: Fail): Meta {
  const v = meta.trim().split(' ');
  if (v.length !== META_FIELDS.length || !/^[0-9a-fA-F]+$/.test(v[0]!) || !v.slice(1).every((x) => /^\d+$/.test(x)))
    fail('EIO', `malformed stat output ${JSON.stringify(meta.slice(0, 40))}`, path);
  return Object.fromEntries(META_FIELDS.map((k, i) => [k, i === 0 ? parseInt(v[i]!, 16) : Number(v[i])])) as Meta;
}

/** The PathFact of one path's records; undefined when nothing was reported (vanished). */
function factOf(path: string, r: Rec | undefined, fail: Fail): PathFact | undefined {
  if (!r) return undefined;
  if (r.error) fail(r.error, reasonText(r.error), path);
  if (r.meta === undefined) return r.missing ? { kind: 'missing' } : undefined;
  const meta = parseMeta(r.meta, path, fail);
  const mode = meta.mode & 0o7777;
  const owned = { uid: meta.uid, gid: meta.gid };
  switch (kindOfMode(meta.mode)) {
    case 'dir':
      return { kind: 'dir', mode, ...owned };
    case 'file':
      if (r.hash === undefined || !/^[0-9a-f]{64}$/.test(r.hash)) {
        if (r.missing) return { kind: 'missing' };
        fail('EIO', 'could not hash the file', path);
      }
      return { kind: 'file', mode, size: meta.size, sha256: r.hash, ...owned };
    case 'symlink':
      if (r.target === undefined) {
        if (r.missing) return { kind: 'missing' };
        fail('EIO', 'could not read the symlink', path);
      }
      return { kind: 'symlink', target: r.target };
    default: {
      const special = specialOf(meta.mode);
      return special ? { kind: 'other', mode, special, ...owned } : { kind: 'other', mode, ...owned };
    }
  }
}

/** A manifest entry with the stamp its file's records carried (GNU find). */
function stamped(e: ManifestEntry, r: Rec): ManifestEntry {
  return e.kind === 'file' && r.stamp ? { ...e, stamp: r.stamp } : e;
}

function withClock(m: ReturnType<typeof makeManifest>, at: number | undefined): ReturnType<typeof makeManifest> {
  return at === undefined ? m : { ...m, at };
}

/** A stat-only manifest entry (`rel` filled in by the caller): a file has its stamp, or its hash where the
 * probe fell back to a full walk (portable find); anything else as a full manifest has it; undefined when the
 * path vanished. */
function quickEntry(path: string, r: Rec, fail: Fail): ManifestEntry | undefined {
  if (r.error) fail(r.error, reasonText(r.error), path);
  if (r.meta === undefined) return undefined;
  const meta = parseMeta(r.meta, path, fail);
  if (kindOfMode(meta.mode) === 'file') {
    const e: ManifestEntry = { rel: '', kind: 'file', mode: meta.mode & 0o7777, size: meta.size };
    if (r.stamp) e.stamp = r.stamp;
    if (r.hash) e.sha256 = r.hash;
    return e;
  }
  const f = factOf(path, r, fail);
  return f && f.kind !== 'missing' ? manifestEntry('', f) : undefined;
}
