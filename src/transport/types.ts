import type { BootstrapFacts, OpenclawBinary, Ownership, PathFact, ProbeRequest, ProbeResult } from '../domain/facts.js';

export type { Ownership };
import type { OwnedStats } from './path-trust.js';
import type { BootstrapQuery } from './bootstrap-probe.js';

/*
 * Adding a transport operation (a method of NodeReader or NodeWriter) touches, in this order:
 *   1. this file: the method, with what it promises (atomic? refuses an existing path? one round trip?);
 *   2. local.ts (LocalNode, a dir as a node) — the compiler names it (`implements NodeWriter`);
 *   3. ssh/ssh-node.ts (SshNode) — the compiler names it — delegating to where it is done:
 *      ssh/node-writes.ts for a write (SFTP requests through ssh/sftp-channel.ts, whose one error mapping
 *      names node, path and operation), ssh/exec-channel.ts for a command, ssh/sftp-probe.ts or probe.sh
 *      (request: ssh/probe-request.ts; records: ssh/probe-records.ts; parsing: ssh/probe-output.ts) for a
 *      read the probe answers;
 *   4. failpoint.ts (withFailpoints) — the compiler names it (its wrapper is a NodeWriter literal); a
 *      mutating operation also joins its `Mutating` union, so the kill-point suite counts and cuts it;
 *   5. test/helpers/faulty-writer.ts: a mutating operation joins MUTATING (a Proxy: no compiler help);
 *   6. if the executor uses it to change a node: src/executor/ (its steps), and the hostile-input, kill-point
 *      and plan ≡ apply suites in test/reliability/ cover it through the executor.
 * A probe kind (a new ProbeRequest field) also needs: domain/facts.ts, local-probe.ts, probe.sh and the
 * request's section letter (probe-request.ts), sftp-probe.ts's sftpMayAnswer (which kinds SFTP may answer).
 */

/**
 * Read-only view of one node. All paths are absolute paths as the node sees them.
 * Facts gathering and the planner's callers only ever get this interface.
 */
export interface NodeReader {
  readonly node: string;
  /** The longest absolute node path (bytes) this node can name, when less than Linux's 4095 (a local dir adds its root). */
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
  /** What a bootstrap needs to know (bootstrap-probe.ts): one read-only command; a dir without programs answers "bare". */
  bootstrapFacts(q: BootstrapQuery): Promise<BootstrapFacts>;
  /** Read a whole file (plain read: no lock); throws when not a regular file. */
  readFile(path: string): Promise<Buffer>;
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
  /**
   * Rewrite a small file of clawfleet's own (a lock's heartbeat) atomically, mode 0600. Not a change to the
   * node's state: failpoints do not count it, and it may run at any time beside the other calls.
   */
  writeHeartbeat(path: string, data: string): Promise<void>;
  /** Rename within one filesystem; fails if `to` exists. */
  rename(from: string, to: string): Promise<void>;
  /** Atomically replace the symlink/file at `to` by `from` (POSIX rename semantics). */
  replace(from: string, to: string): Promise<void>;
  /** Copy a tree (dir, file or symlink) to a path that must not exist, preserving modes and symlinks. */
  copyTree(from: string, to: string): Promise<void>;
  /**
   * Give an existing dir or file this owner, group and exact mode (setgid and sticky bits included): chown
   * first, then chmod (a chown may clear set-id bits). Never follows a link: refuses (ELOOP) when `path` is a
   * symlink when looked at; fails when it is missing. Two requests, no check between them (the caller
   * re-reads and verifies).
   */
  setOwner(path: string, owner: Ownership): Promise<void>;
  /** Give a symlink itself this owner and group (lchown): refuses when `path` is not a symlink; never follows it. */
  setLinkOwner(path: string, owner: { uid: number; gid: number }): Promise<void>;
  /**
   * Copy every entry of dir `src` with ONE `cp -a` into `dest/tmp`, a new dir clawfleet names, working from a
   * held `dest` (copy-script.ts): hard links among the entries, sparse files and FIFOs are kept; names are
   * bytes. A failed copy removes its partial copy; the source is never touched. Ends with the connection.
   */
  copyEntries(c: EntryCopy): Promise<void>;
  /** Drop the entries `drop` from the copy `dest/tmp`, move every other entry up into `dest` (never over
   * anything), remove the empty `tmp`. */
  adoptEntries(c: EntryCopy & { drop: string[] }): Promise<void>;
  /** Remove clawfleet's own temporary copy `dest/tmp` (a copy only: its source is intact); nothing there is fine. */
  dropCopy(c: Omit<EntryCopy, 'src'>): Promise<void>;
  /** lstat of each path with its owner, and the uid clawfleet acts as on the node (path-trust.ts decides on it). */
  lstatOwned(paths: string[]): Promise<OwnedStats>;
  /** Remove an empty dir. */
  rmdir(path: string): Promise<void>;
  /** Remove a symlink or file. Only used on things clawfleet itself created (temp files, its own links, locks). */
  unlink(path: string): Promise<void>;
  /** Run a shell command on the node (composite steps, validators, handlers). Quoting is the caller's job: use shQuote. */
  exec(command: string): Promise<ExecResult>;
  /** Run a shell command with the operator-side file `localFile` streamed to its stdin (a push install's tarball). */
  execWithFile(command: string, localFile: string): Promise<ExecResult>;
}

/**
 * A copy of a dir's entries: `src`'s entries go into `dest/tmp`. `base` is an ancestor of `dest` (or `dest`)
 * set up by the operator, entered as it is (the data root may be a mount link); below it no component may be
 * a symlink (copy-script.ts).
 */
export interface EntryCopy {
  src: string;
  dest: string;
  tmp: string;
  base: string;
}

export type StatFn = (path: string) => Promise<PathFact>;
