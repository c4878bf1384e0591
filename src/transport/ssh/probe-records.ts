/**
 * The probe's output format (probe.sh prints it, probe-output.ts parses it), as typed constants.
 *
 * Output is NUL-terminated fields: PROBE_MAGIC, then section markers and records. A record is its tag
 * followed by exactly `fields.length` fields. Adding a record kind: add it here (tag and fields), print it
 * in probe.sh, and the compiler asks for its handler in probe-output.ts (STORE).
 *
 * Adding a per-path value to lstat data (as uid and gid were): append the names to META_FIELDS, append the
 * matching conversions to probe.sh's two formats (STAT_FORMAT `stat -c '%f %s'` → `'%f %s %u %g'`, and
 * FIND_FORMAT `%y %m %s` → `%y %m %s %U %G`), and read them from `Meta` where PathFacts are built
 * (probe-output.ts factOf, sftp-probe.ts from ssh2's Stats, local-probe.ts from lstat).
 */

export const PROBE_MAGIC = 'CLAWPROBE1';

/** Section markers: each request section's records follow its marker; `end` comes last. */
export const SECTION = { stat: '=S', list: '=L', manifest: '=M', quick: '=Q', read: '=R', access: '=A', end: '=Z' } as const;
export type SectionName = Exclude<keyof typeof SECTION, 'end'>;
export type SectionMarker = (typeof SECTION)[SectionName];

/** `=G 0|1` right after the magic: whether the node's find is GNU find (only when the request asked). */
export const GNU_FIND_MARKER = '=G';

/** Every record the probe prints. */
export const RECORD = {
  /** Top-level kind of a list/manifest/read path: d (real dir), f (real file), o (anything else). */
  top: { tag: 'T', fields: ['path', 'kind'] },
  /** lstat data of a path, STAT_FORMAT: "hexmode size …" (META_FIELDS). */
  lstat: { tag: 'M', fields: ['path', 'meta'] },
  /** The same from GNU find's -printf, FIND_FORMAT: "typeletter octmode size …". */
  findLstat: { tag: 'P', fields: ['path', 'meta'] },
  /** A regular file's sha256 (hex). */
  hash: { tag: 'H', fields: ['path', 'sha256'] },
  /** A regular file's stamp "dev:ino:ctime" (GNU find only; ManifestEntry.stamp). */
  stamp: { tag: 'I', fields: ['path', 'stamp'] },
  /** The node's clock (epoch seconds) as a manifest section's walk begins (GNU find only; Manifest.at). */
  clock: { tag: 'C', fields: ['now'] },
  /** A symlink's target. */
  target: { tag: 'K', fields: ['path', 'target'] },
  /** A read file's content, base64. */
  content: { tag: 'B', fields: ['path', 'base64'] },
  /** Whether the probe's user may create and remove entries in that dir: 1 or 0. */
  writable: { tag: 'W', fields: ['path', 'ok'] },
  /** Does not exist (or vanished while probing). */
  missing: { tag: 'N', fields: ['path'] },
  /** Cannot be read: EACCES or EIO. */
  error: { tag: 'E', fields: ['path', 'reason'] },
  /** find could not read the whole tree (its stderr). */
  findError: { tag: 'F', fields: ['message'] },
} as const;

export type RecordName = keyof typeof RECORD;
export type RecordTag = (typeof RECORD)[RecordName]['tag'];

/** The space-separated values of an lstat record's `meta` field, in order (after P is turned into M form). */
export const META_FIELDS = ['mode', 'size', 'uid', 'gid'] as const;
export type Meta = Record<(typeof META_FIELDS)[number], number>;

/** Tag → record name, for the parser. */
export const RECORD_BY_TAG: ReadonlyMap<string, RecordName> = new Map(Object.entries(RECORD).map(([name, r]) => [r.tag, name as RecordName]));
