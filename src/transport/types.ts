import type { OpenclawBinary, PathFact, ProbeRequest, ProbeResult } from '../domain/facts.js';
import type { OwnedStats } from './path-trust.js';

/**
 * Read-only view of one node. All paths are absolute paths as the node sees them.
 * Facts gathering and the planner's callers only ever get this interface.
 */
export interface NodeReader {
  readonly node: string;
  /** The longest absolute node path (bytes) this node can name, when less than Linux's 4095 (a local dir adds its own prefix). */
  readonly pathMax?: number;
  /** The login user's home dir on the node (what `~` means there). */
  home(): Promise<string>;
  /** One round trip, whatever the number of paths (SSH: one exec; a small stat or manifest request may be
   * answered by a few pipelined SFTP requests instead, which cost the node far less). */
  probe(req: ProbeRequest): Promise<ProbeResult>;
  /** The node's `openclaw --version`, or null where no openclaw is on its PATH. */
  openclawVersion(): Promise<string | null>;
  /** The node's openclaw program (path, and version when `--version` answers one), or null where there is none. */
  openclawBinary(): Promise<OpenclawBinary | null>;
  close(): Promise<void>;
}

/** Result of a command run on the node by `exec`. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Everything that can change a node. Only the executor is given one.
 * Every method fails (rejects) rather than overwrite something it did not expect.
 */
export interface NodeWriter extends NodeReader {
  /** mkdir of one dir (parent must exist); fails if anything exists at path. */
  mkdir(path: string, mode: number): Promise<void>;
  /** Create `path` as a symlink with the given target text; fails if anything exists at path. */
  symlink(target: string, path: string): Promise<void>;
  /** Atomically replace/create `path` with `data` (temp file in the same dir + rename), exact mode. */
  writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void>;
  /** Write a new file; fails if it exists. */
  writeFileExclusive(path: string, data: string | Buffer, mode: number): Promise<void>;
  /** Append text to a file (created 0600 if missing). Used for journals. */
  appendFile(path: string, data: string): Promise<void>;
  /** Read a whole file; throws when not a regular file. */
  readFile(path: string): Promise<Buffer>;
  /** Rename within one filesystem; fails if `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Atomically replace the symlink/file at `to` by `from` (POSIX rename semantics). */
  replace(from: string, to: string): Promise<void>;
  /** Copy a tree (dir, file or symlink) to a path that must not exist, preserving modes and symlinks. */
  copyTree(from: string, to: string): Promise<void>;
  /**
   * Copy entries of dir `src` with ONE `cp -a` into `dest/tmp` (a new dir clawfleet names), from a held working
   * dir (copy-script.ts): hard links among them, sparse files and FIFOs are kept; names are bytes. A failed
   * copy removes its partial copy.
   */
  copyEntries(c: { src: string; names: string[]; dest: string; tmp: string }): Promise<void>;
  /** Rename entries relative to a held `base` (or to an absolute path in clawfleet's own state), never over anything. */
  moveEntries(m: { base: string; moves: { from: string; to: string }[]; missingOk: boolean }): Promise<void>;
  /** Remove clawfleet's own temporary copy `base/tmp` (a copy only: its source is intact). */
  dropCopy(base: string, tmp: string): Promise<void>;
  /** Remove an empty dir. */
  rmdir(path: string): Promise<void>;
  /** Remove a symlink or file. Only used on things clawfleet itself created (temp files, its own links, locks). */
  unlink(path: string): Promise<void>;
  /** lstat (never following a last link) with owner, and the uid clawfleet acts as: for the trust checks of path-trust.ts. */
  lstatOwned(paths: string[]): Promise<OwnedStats>;
  /** Run a shell command on the node (composite steps, validators, handlers). Quoting is the caller's job: use shQuote. */
  exec(command: string): Promise<ExecResult>;
}

export type StatFn = (path: string) => Promise<PathFact>;
