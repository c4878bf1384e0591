/** What one path on a node is, as read (never written) by the facts gatherer. */
export type PathFact =
  | { kind: 'missing' }
  | { kind: 'dir'; mode: number }
  | { kind: 'file'; mode: number; size: number; sha256: string }
  | { kind: 'symlink'; target: string }
  | { kind: 'other'; mode: number; special?: SpecialKind };

/** What a special file is (FIFOs are moved like files; sockets and devices are refused at plan time). */
export type SpecialKind = 'fifo' | 'socket' | 'char-device' | 'block-device';

/** One entry of a recursive listing, relative to the listed dir ("a", "a/b.jsonl"). */
export interface ManifestEntry {
  rel: string;
  kind: 'dir' | 'file' | 'symlink' | 'other';
  mode: number;
  size?: number;
  sha256?: string;
  target?: string;
  special?: SpecialKind;
}

/** A recursive listing of a dir, sorted by `rel`. */
export interface Manifest {
  entries: ManifestEntry[];
  /** sha256 over the canonical lines of every entry: equal digests mean identical trees. */
  digest: string;
}

/** A child of a listed dir. */
export interface DirChild {
  name: string;
  kind: PathFact['kind'];
}

/** One batched read request: a transport answers it in one round trip. All paths are absolute node paths. */
export interface ProbeRequest {
  stat?: string[];
  /** Recursive manifests of these dirs (null in the answer when not a dir). */
  manifest?: string[];
  /** Children of these dirs (null in the answer when not a dir). */
  list?: string[];
  /** Text of these files (null when not a regular file). */
  read?: string[];
}

export interface ProbeResult {
  stat: Record<string, PathFact>;
  manifest: Record<string, Manifest | null>;
  list: Record<string, DirChild[] | null>;
  read: Record<string, string | null>;
}

/** The node's `openclaw` program: where it is, and its version when `--version` answered one. */
export interface OpenclawBinary {
  path: string;
  version: string | null;
}

/** Everything the planner knows about one node. Gathered read-only; plain data. */
export interface NodeFacts {
  node: string;
  /** Absolute node paths resolved from the inventory. */
  openclawHome: string;
  dataRoot: string;
  paths: Record<string, PathFact>;
  manifests: Record<string, Manifest | null>;
  /** Names under `<openclawHome>/agents` (null when that dir is missing). */
  agentDirs: DirChild[] | null;
  config: { path: string; fact: PathFact; text: string | null };
  /** Version OpenClaw recorded in the config (`meta.lastTouchedVersion`), or from `openclaw --version`. */
  openclawVersion: { version: string; source: 'binary' | 'config' } | null;
  /** The openclaw program on the node, null when there is none (a bare node, or a sandbox dir without programs). */
  openclawBinary: OpenclawBinary | null;
  /** The longest path (bytes) the node can name, when below Linux's 4095 (a local dir's root takes its share). */
  pathMax?: number;
  /** Names in `agents/<id>/agent/` of each agent the inventory lists (null when that dir is missing). */
  agentFiles: Record<string, string[] | null>;
}
