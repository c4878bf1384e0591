import { createHash, randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import type { Manifest, ManifestEntry, OpenclawBinary, PathFact, ProbeRequest, ProbeResult } from '../../domain/facts.js';
import { makeManifest, specialOf } from '../../facts/manifest.js';
import { binaryScript, parseBinaryOutput } from '../openclaw-cli.js';
import { shQuote } from '../sh-quote.js';
import { copyEntriesScript, dropCopyScript, moveEntriesScript, scriptError } from '../copy-script.js';
import type { OwnedStat, OwnedStats } from '../path-trust.js';
import type { ExecResult, NodeWriter } from '../types.js';
import { connectNode, Limiter, type ConnectOptions, type NodeConnection } from './connect.js';
import { buildProbeScript, normalizeProbePath, parseProbeOutput, probeFoundGnuFind } from './probe-script.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH speaks). */
const FX = { NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8 };

/** Per connection: at most this many SFTP requests in flight (ssh2 warns past 10 listeners). */
export const MAX_SFTP_IN_FLIGHT = 8;
/** Exec channels in flight; with the SFTP channel this stays below sshd's MaxSessions (10). */
export const MAX_EXEC_IN_FLIGHT = 6;
/**
 * A stat-only probe of at most this many paths is answered over SFTP (lstat, readlink, pipelined: well under
 * a millisecond per path on a LAN) instead of an exec of the probe script (a shell and a few processes on the
 * node: several milliseconds). Facts gathering, with its lists, reads and manifests, always uses the script.
 */
export const SFTP_STAT_MAX_PATHS = 32;
/** Over SFTP, a regular file is hashed here after reading it; a bigger one sends the request to the script. */
export const SFTP_HASH_MAX_BYTES = 64 * 1024;
/**
 * The executor's re-checks and copy verifications ask for the manifest of one or two dirs. A small tree is
 * walked over SFTP (readdir carries lstat data; files read and hashed here): a few pipelined requests, a
 * tenth of a millisecond of the node's CPU each, where the script costs a shell, find and sha256sum
 * (~9 ms of the node's CPU). A bigger tree, or more roots, goes to the script.
 */
export const SFTP_MANIFEST_MAX_ROOTS = 2;
export const SFTP_MANIFEST_MAX_ENTRIES = 256;
export const SFTP_MANIFEST_MAX_BYTES = 256 * 1024;
/** Writes up to this size are one SFTP request (ssh2 splits bigger ones), so later requests can be pipelined. */
const ONE_WRITE_MAX_BYTES = 16 * 1024;

interface RawExec {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

type SftpErr = Error & { code?: number | string };

function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function basenameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Wrap a POSIX sh script for `/bin/sh -s` (parsed whole, then run with stdin from /dev/null). */
function stdinScript(body: string): string {
  return `{\n${body}\n} </dev/null\n`;
}

/**
 * A node reached over one SSH connection: SFTP for file operations, `exec` on the same connection for the
 * probe and shell commands. Every failure is a one-line ClawError naming the node and the path.
 */
export class SshNode implements NodeWriter {
  readonly node: string;
  /** Exec channels opened so far (a probe is exactly one). */
  execCount = 0;
  /** Probes answered so far (by the script or, stat-only, over SFTP). */
  probeCount = 0;
  /** SFTP requests sent so far (each is one request/response on the open SFTP channel). */
  sftpCount = 0;
  private readonly client: Client;
  private readonly raw: SFTPWrapper;
  private readonly ops = new Limiter(MAX_SFTP_IN_FLIGHT);
  private readonly execs = new Limiter(MAX_EXEC_IN_FLIGHT);
  private homeDir: Promise<string> | undefined;
  /** Whether the node's find is GNU find (learnt from the first probe that needed find). */
  private gnuFind: boolean | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    node: string,
    readonly conn: NodeConnection,
  ) {
    this.node = node;
    this.client = conn.client;
    this.raw = conn.raw;
    this.client.on('close', () => {
      this.closed = true;
    });
    this.client.on('error', () => {
      /* reported by the operation that hits it */
    });
  }

  static async open(opts: ConnectOptions): Promise<SshNode> {
    return new SshNode(opts.node, await connectNode(opts));
  }

  /** "host:port" as connected. */
  get endpoint(): string {
    return `${this.conn.params.hostName}:${this.conn.params.port}`;
  }

  // ------------------------------------------------------------ plumbing

  private err(code: string, message: string, path?: string): ClawError {
    return new ClawError(code, message, { node: this.node, path });
  }

  private lost(): ClawError {
    return this.err('CONN_LOST', `connection to ${this.endpoint} lost`);
  }

  /** Map a raw SFTP error; FAILURE (4) is left to `refine` when the operation knows better. */
  private mapSftp(e: unknown, op: string, path: string): ClawError {
    if (e instanceof ClawError) return e;
    const err = e as SftpErr;
    const msg = String(err?.message ?? e).split('\n')[0] ?? '';
    if (this.closed || err?.code === FX.NO_CONNECTION || err?.code === FX.CONNECTION_LOST || /No response from server|Not connected|ECONNRESET/.test(msg))
      return this.lost();
    switch (err?.code) {
      case FX.NO_SUCH_FILE:
        return this.err('ENOENT', `${op}: no such file or directory`, path);
      case FX.PERMISSION_DENIED:
        return this.err('EACCES', `${op}: permission denied`, path);
      case FX.OP_UNSUPPORTED:
        return this.err('ENOTSUP', `${op}: not supported by the server`, path);
      default:
        return this.err('EIO', `${op}: ${msg || 'failed'}`, path);
    }
  }

  /** One SFTP request through the in-flight limiter. */
  private req<T>(op: string, path: string, fn: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(this.lost());
    return this.ops.run(
      () =>
        new Promise<T>((resolve, reject) => {
          this.sftpCount++;
          try {
            fn((err, v) => (err ? reject(err) : resolve(v as T)));
          } catch (e) {
            reject(e);
          }
        }),
    );
  }

  private lstatRaw(path: string): Promise<Stats | null> {
    return this.req<Stats>('lstat', path, (cb) => this.raw.lstat(path, cb)).catch((e: SftpErr) => {
      if (e?.code === FX.NO_SUCH_FILE) return null;
      throw this.mapSftp(e, 'lstat', path);
    });
  }

  /**
   * The probe's PathFact of one path over SFTP (same answers as the script: lstat, never following a last
   * symlink; a file's sha256). null for a regular file too big to hash here.
   */
  private async sftpFact(path: string): Promise<PathFact | null> {
    let st: Stats;
    try {
      st = await this.req<Stats>('lstat', path, (cb) => this.raw.lstat(path, cb));
    } catch (e) {
      if ((e as SftpErr)?.code === FX.NO_SUCH_FILE) return { kind: 'missing' };
      if ((e as SftpErr)?.code === FX.PERMISSION_DENIED && !this.closed) throw this.err('EACCES', 'permission denied', path);
      throw this.mapSftp(e, 'lstat', path);
    }
    const mode = st.mode & 0o7777;
    if (st.isDirectory()) return { kind: 'dir', mode };
    if (st.isSymbolicLink()) {
      const target = await this.req<string>('readlink', path, (cb) => this.raw.readlink(path, cb)).catch((e: SftpErr) => {
        if (e?.code === FX.NO_SUCH_FILE) return null; // vanished meanwhile
        throw this.mapSftp(e, 'readlink', path);
      });
      return target === null ? { kind: 'missing' } : { kind: 'symlink', target };
    }
    if (!st.isFile()) {
      const special = specialOf(st.mode);
      return special ? { kind: 'other', mode, special } : { kind: 'other', mode };
    }
    if (st.size > SFTP_HASH_MAX_BYTES) return null;
    const data = await this.req<Buffer>('read', path, (cb) => this.raw.readFile(path, cb)).catch((e: SftpErr) => {
      if (e?.code === FX.NO_SUCH_FILE) return null;
      if (e?.code === FX.PERMISSION_DENIED && !this.closed) throw this.err('EACCES', 'permission denied', path);
      throw this.mapSftp(e, 'read', path);
    });
    if (data === null) return { kind: 'missing' };
    return { kind: 'file', mode, size: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  /**
   * The probe's manifest of a small tree over SFTP (same entries as the script: lstat data from readdir,
   * symlink targets, files' sha256). null when `root` is not a real dir; undefined when the tree is bigger
   * than SFTP_MANIFEST_MAX_* (the caller then runs the script).
   */
  private async sftpManifest(root: string): Promise<Manifest | null | undefined> {
    const top = await this.req<Stats>('lstat', root, (cb) => this.raw.lstat(root, cb)).catch((e: SftpErr) => {
      if (e?.code === FX.NO_SUCH_FILE) return null;
      if (e?.code === FX.PERMISSION_DENIED && !this.closed) throw this.err('EACCES', 'permission denied', root);
      throw this.mapSftp(e, 'lstat', root);
    });
    if (!top?.isDirectory()) return null;
    const at = (rel: string) => (rel === '' ? root : root === '/' ? `/${rel}` : `${root}/${rel}`);
    const entries: ManifestEntry[] = [];
    const files: { rel: string; mode: number }[] = [];
    const links: string[] = [];
    let count = 0;
    let bytes = 0;
    let lossy = false;
    for (let level = ['']; level.length > 0; ) {
      const lists = await Promise.all(
        level.map((rel) =>
          this.req<{ filename: string; attrs: Stats }[]>('readdir', at(rel), (cb) => this.raw.readdir(at(rel), cb)).catch((e: SftpErr) => {
            if (e?.code === FX.NO_SUCH_FILE && rel !== '') return []; // vanished while walking, as find skips it
            if (e?.code === FX.PERMISSION_DENIED && !this.closed) throw this.err('EACCES', `cannot read the whole tree: ${at(rel)}: Permission denied`, root);
            throw this.mapSftp(e, 'readdir', at(rel));
          }),
        ),
      );
      const next: string[] = [];
      lists.forEach((list, i) => {
        for (const { filename, attrs } of list) {
          // ssh2 decodes names as UTF-8, losing bytes that are not: such a tree is left to the script.
          if (filename.includes('\uFFFD')) lossy = true;
          const rel = level[i] === '' ? filename : `${level[i]}/${filename}`;
          const mode = attrs.mode & 0o7777;
          count++;
          if (attrs.isDirectory()) {
            entries.push({ rel, kind: 'dir', mode });
            next.push(rel);
          } else if (attrs.isSymbolicLink()) links.push(rel);
          else if (attrs.isFile()) {
            files.push({ rel, mode });
            bytes += attrs.size;
          } else {
            const special = specialOf(attrs.mode);
            entries.push(special ? { rel, kind: 'other', mode, special } : { rel, kind: 'other', mode });
          }
        }
      });
      if (lossy || count > SFTP_MANIFEST_MAX_ENTRIES || bytes > SFTP_MANIFEST_MAX_BYTES) return undefined;
      level = next;
    }
    await Promise.all([
      ...files.map(async ({ rel, mode }) => {
        const data = await this.req<Buffer>('read', at(rel), (cb) => this.raw.readFile(at(rel), cb)).catch((e: SftpErr) => {
          if (e?.code === FX.NO_SUCH_FILE) return null; // vanished while walking
          if (e?.code === FX.PERMISSION_DENIED && !this.closed) throw this.err('EACCES', 'permission denied', at(rel));
          throw this.mapSftp(e, 'read', at(rel));
        });
        if (data) entries.push({ rel, kind: 'file', mode, size: data.length, sha256: createHash('sha256').update(data).digest('hex') });
      }),
      ...links.map(async (rel) => {
        const target = await this.req<string>('readlink', at(rel), (cb) => this.raw.readlink(at(rel), cb)).catch((e: SftpErr) => {
          if (e?.code === FX.NO_SUCH_FILE) return null;
          throw this.mapSftp(e, 'readlink', at(rel));
        });
        if (target !== null) entries.push({ rel, kind: 'symlink', mode: 0o777, target });
      }),
    ]);
    return makeManifest(entries);
  }

  /** After a FAILURE: EEXIST when something is at `path` (OpenSSH reports EEXIST as plain FAILURE). */
  private async refineExists(e: unknown, op: string, path: string): Promise<ClawError> {
    if ((e as SftpErr)?.code === FX.FAILURE && !this.closed) {
      const st = await this.lstatRaw(path).catch(() => null);
      if (st) return this.err('EEXIST', `${op}: already exists`, path);
    }
    return this.mapSftp(e, op, path);
  }

  private async execRaw(command: string, stdin?: string): Promise<RawExec> {
    if (this.closed) throw this.lost();
    return this.execs.run(
      () =>
        new Promise<RawExec>((resolve, reject) => {
          this.execCount++;
          this.client.exec(command, (err, stream) => {
            if (err) {
              reject(this.closed ? this.lost() : this.err('EXEC_FAILED', `cannot run a command: ${err.message.split('\n')[0]}`));
              return;
            }
            const out: Buffer[] = [];
            const errb: Buffer[] = [];
            let code: number | null = null;
            let signal: string | undefined;
            stream.on('data', (d: Buffer) => out.push(d));
            stream.stderr.on('data', (d: Buffer) => errb.push(d));
            stream.on('exit', (c: number | null, sig?: string) => {
              code = c;
              signal = sig;
            });
            stream.on('error', () => {
              /* close follows */
            });
            stream.on('close', () => {
              if (code === null && signal === undefined && this.closed) {
                reject(this.lost());
                return;
              }
              const sigNo = signal ? (osConstants.signals as Record<string, number>)[`SIG${signal}`] : undefined;
              resolve({
                code: code ?? (sigNo ? 128 + sigNo : 255),
                stdout: Buffer.concat(out),
                stderr: Buffer.concat(errb),
              });
            });
            stream.end(stdin ?? '');
          });
        }),
    );
  }

  /** Run a POSIX sh script (whatever the login shell is) with the script on stdin. */
  private execScript(body: string): Promise<RawExec> {
    return this.execRaw('/bin/sh -s', stdinScript(body));
  }

  private withNode(e: unknown): ClawError {
    if (e instanceof ClawError) return e.node ? e : new ClawError(e.code, e.message, { node: this.node, path: e.path });
    return this.err('EIO', String((e as Error)?.message ?? e).split('\n')[0] ?? 'error');
  }

  // ------------------------------------------------------------ NodeReader

  home(): Promise<string> {
    this.homeDir ??= this.req<string>('realpath', '.', (cb) => this.raw.realpath('.', cb)).catch((e) => {
      this.homeDir = undefined;
      throw this.mapSftp(e, 'cannot resolve the login directory', '~');
    });
    return this.homeDir;
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    let script: string;
    try {
      script = buildProbeScript(req, this.gnuFind === undefined ? {} : { gnuFind: this.gnuFind });
    } catch (e) {
      throw this.withNode(e);
    }
    const stat = req.stat ?? [];
    const manifest = req.manifest ?? [];
    if (
      stat.length + manifest.length > 0 &&
      stat.length <= SFTP_STAT_MAX_PATHS &&
      manifest.length <= SFTP_MANIFEST_MAX_ROOTS &&
      !req.list?.length &&
      !req.read?.length
    ) {
      const facts = await Promise.all(stat.map((p) => this.sftpFact(normalizeProbePath(p))));
      const trees = facts.every((f) => f !== null) ? await Promise.all(manifest.map((p) => this.sftpManifest(normalizeProbePath(p)))) : [undefined];
      if (trees.every((m) => m !== undefined)) {
        this.probeCount++;
        const result: ProbeResult = { stat: {}, manifest: {}, list: {}, read: {} };
        stat.forEach((p, i) => (result.stat[p] = facts[i]!));
        manifest.forEach((p, i) => (result.manifest[p] = trees[i]!));
        return result;
      }
    }
    this.probeCount++;
    const r = await this.execRaw('/bin/sh -s', script);
    this.gnuFind ??= probeFoundGnuFind(r.stdout);
    try {
      return parseProbeOutput(req, r.stdout, this.node);
    } catch (e) {
      if (r.code !== 0 && e instanceof ClawError && e.code === 'EIO' && !e.path) {
        const why = r.stderr.toString('utf8').split('\n').find((l) => l.trim()) ?? '';
        throw this.err('EIO', `probe failed (exit ${r.code})${why ? `: ${why}` : ''}`);
      }
      throw this.withNode(e);
    }
  }

  async openclawVersion(): Promise<string | null> {
    return (await this.openclawBinary())?.version ?? null;
  }

  async openclawBinary(): Promise<OpenclawBinary | null> {
    const r = await this.execScript(binaryScript());
    return parseBinaryOutput(r.code, r.stdout.toString('utf8'));
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const t = setTimeout(() => this.client.destroy(), 3000);
      try {
        if (!this.closed) await this.conn.sftp.end();
      } catch {
        this.client.destroy();
      } finally {
        clearTimeout(t);
        this.closed = true;
      }
    })();
    return this.closing;
  }

  // ------------------------------------------------------------ NodeWriter

  async mkdir(path: string, mode: number): Promise<void> {
    try {
      await this.req('mkdir', path, (cb) => this.raw.mkdir(path, { mode: mode & 0o7777 }, cb));
    } catch (e) {
      throw await this.refineExists(e, 'mkdir', path);
    }
    await this.req('chmod', path, (cb) => this.raw.chmod(path, mode & 0o7777, cb)).catch((e) => {
      throw this.mapSftp(e, 'chmod', path);
    });
  }

  async symlink(target: string, path: string): Promise<void> {
    try {
      // ssh2 swaps the arguments for OpenSSH servers itself (OpenSSH's sftp-server has them reversed).
      await this.req('symlink', path, (cb) => this.raw.symlink(target, path, cb));
    } catch (e) {
      throw await this.refineExists(e, 'symlink', path);
    }
  }

  /** Create `path` (must not exist), write `data`, set the exact mode, fsync; remove it again on failure. */
  private async writeNew(path: string, data: Buffer, mode: number, op: string): Promise<void> {
    let handle: Buffer;
    try {
      handle = await this.req<Buffer>('open', path, (cb) => this.raw.open(path, 'wx', { mode: mode & 0o7777 }, cb));
    } catch (e) {
      throw await this.refineExists(e, op, path);
    }
    const failed = await this.writeAndClose(handle, path, data, mode);
    if (failed.at === 'close') throw this.mapSftp(failed.error, op, path);
    if (failed.at === 'write') {
      await this.req('unlink', path, (cb) => this.raw.unlink(path, cb)).catch(() => {});
      throw this.mapSftp(failed.error, op, path);
    }
  }

  /**
   * Writes `data` at offset 0 of an open handle, then (with a mode) fchmod, then fsync and close. The server
   * handles one channel's requests in order: a small write, fchmod, fsync and close go out together (one
   * round trip); a bigger write (several requests) completes before the rest is sent. The handle is closed
   * whatever happens; the result says what failed first.
   */
  private async writeAndClose(handle: Buffer, path: string, data: Buffer, mode: number | null): Promise<{ at: 'none' } | { at: 'write' | 'close'; error: unknown }> {
    const write = () => this.req('write', path, (cb) => this.raw.write(handle, data, 0, data.length, 0, cb));
    let firstErr: unknown;
    try {
      if (data.length > ONE_WRITE_MAX_BYTES) await write();
    } catch (e) {
      firstErr = e;
    }
    const steps: Promise<unknown>[] = [];
    if (firstErr === undefined) {
      if (data.length > 0 && data.length <= ONE_WRITE_MAX_BYTES) steps.push(write());
      if (mode !== null) steps.push(this.req('fchmod', path, (cb) => this.raw.fchmod(handle, mode & 0o7777, cb)));
      steps.push(this.fsync(handle, path));
    }
    const closing = this.req('close', path, (cb) => this.raw.close(handle, cb));
    const settled = await Promise.allSettled(steps);
    firstErr ??= settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')?.reason;
    if (firstErr !== undefined) {
      await closing.catch(() => {});
      return { at: 'write', error: firstErr };
    }
    try {
      await closing;
      return { at: 'none' };
    } catch (e) {
      return { at: 'close', error: e };
    }
  }

  private async fsync(handle: Buffer, path: string): Promise<void> {
    await this.req('fsync', path, (cb) => this.raw.ext_openssh_fsync(handle, cb)).catch((e: SftpErr) => {
      if (/not supported|Server does not support/i.test(String(e?.message)) || e?.code === FX.OP_UNSUPPORTED) return;
      throw e;
    });
  }

  async writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const dir = dirnameOf(path);
    const tmp = `${dir === '/' ? '' : dir}/.${basenameOf(path)}.clawfleet-tmp-${randomBytes(6).toString('hex')}`;
    try {
      await this.writeNew(tmp, buf, mode, 'write temp file');
    } catch (e) {
      const c = e instanceof ClawError ? e : this.mapSftp(e, 'write', path);
      throw this.err(c.code, `${c.message} (${basenameOf(tmp)})`, path);
    }
    try {
      await this.req('rename', path, (cb) => this.raw.ext_openssh_rename(tmp, path, cb));
    } catch (e) {
      await this.req('unlink', tmp, (cb) => this.raw.unlink(tmp, cb)).catch(() => {});
      throw this.mapSftp(e, 'replace', path);
    }
  }

  async writeFileExclusive(path: string, data: string | Buffer, mode: number): Promise<void> {
    await this.writeNew(path, typeof data === 'string' ? Buffer.from(data, 'utf8') : data, mode, 'create');
  }

  async appendFile(path: string, data: string): Promise<void> {
    const buf = Buffer.from(data, 'utf8');
    let handle: Buffer;
    try {
      handle = await this.req<Buffer>('open', path, (cb) => this.raw.open(path, 'a', { mode: 0o600 }, cb));
    } catch (e) {
      throw this.mapSftp(e, 'append', path);
    }
    // The handle is O_APPEND on the server: the offset is ignored.
    const failed = await this.writeAndClose(handle, path, buf, null);
    if (failed.at !== 'none') throw this.mapSftp(failed.error, 'append', path);
  }

  async readFile(path: string): Promise<Buffer> {
    const st = await this.req<Stats>('stat', path, (cb) => this.raw.stat(path, cb)).catch((e) => {
      throw this.mapSftp(e, 'read', path);
    });
    if (st.isDirectory()) throw this.err('EISDIR', 'read: is a directory', path);
    if (!st.isFile()) throw this.err('EINVAL', 'read: not a regular file', path);
    return this.req<Buffer>('read', path, (cb) => this.raw.readFile(path, cb)).catch((e) => {
      throw this.mapSftp(e, 'read', path);
    });
  }

  async rename(from: string, to: string): Promise<void> {
    if (await this.lstatRaw(to)) throw this.err('EEXIST', `rename ${from}: target already exists`, to);
    try {
      // Plain SFTP rename refuses an existing target (OpenSSH: link+unlink), closing the check-then-act gap.
      await this.req('rename', to, (cb) => this.raw.rename(from, to, cb));
    } catch (e) {
      if ((e as SftpErr)?.code === FX.NO_SUCH_FILE && !(await this.lstatRaw(from).catch(() => null)))
        throw this.err('ENOENT', `rename: source ${from} does not exist`, to);
      throw await this.refineExists(e, `rename ${from}`, to);
    }
  }

  async replace(from: string, to: string): Promise<void> {
    try {
      await this.req('rename', to, (cb) => this.raw.ext_openssh_rename(from, to, cb));
    } catch (e) {
      if ((e as SftpErr)?.code === FX.NO_SUCH_FILE) throw this.err('ENOENT', `replace: ${from} or the target dir does not exist`, to);
      throw this.mapSftp(e, `replace by ${from}`, to);
    }
  }

  async copyTree(from: string, to: string): Promise<void> {
    // One command line (no script on stdin): `sh -c` runs it and execs cp, one process less per copy.
    const r = await this.execRaw(
      '/bin/sh -c ' +
        shQuote(
          [
            `f=${shQuote(from)}; t=${shQuote(to)}`,
            'if [ -e "$t" ] || [ -L "$t" ]; then exit 17; fi',
            'if [ ! -e "$f" ] && [ ! -L "$f" ]; then exit 2; fi',
            'exec cp -a -- "$f" "$t" </dev/null',
          ].join('; '),
        ),
    );
    if (r.code === 0) return;
    if (r.code === 17) throw this.err('EEXIST', 'copy: target already exists', to);
    if (r.code === 2) throw this.err('ENOENT', `copy: source ${from} does not exist`, to);
    const why = r.stderr.toString('utf8').split('\n').find((l) => l.trim()) ?? `exit ${r.code}`;
    throw this.err(/Permission denied/.test(why) ? 'EACCES' : 'EIO', `copy from ${from} failed: ${why.replace(/^cp: /, '')}`, to);
  }

  /** The uid the SSH user has on the node (`id -u`, asked once per connection). */
  private uid: Promise<number> | undefined;

  async lstatOwned(paths: string[]): Promise<OwnedStats> {
    this.uid ??= this.execRaw('id -u').then((r) => {
      const n = Number(r.stdout.toString('utf8').trim());
      if (r.code !== 0 || !Number.isInteger(n) || n < 0) {
        this.uid = undefined;
        throw this.err('EIO', `cannot learn the user id on the node (id -u: exit ${r.code})`);
      }
      return n;
    });
    const [uid, list] = await Promise.all([
      this.uid,
      Promise.all(
        paths.map(async (p): Promise<OwnedStat> => {
          const st = await this.lstatRaw(p);
          if (!st) return { kind: 'missing', mode: 0, uid: -1 };
          const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
          return { kind, mode: st.mode & 0o7777, uid: st.uid };
        }),
      ),
    ]);
    return { uid, stats: Object.fromEntries(paths.map((p, i) => [p, list[i]!])) };
  }

  /** Runs an entry script (copy-script.ts) as `/bin/sh -s`; its failure reason is reported whole. */
  private async entryScript(script: string, op: string, path: string): Promise<void> {
    const r = await this.execRaw('/bin/sh -s', script);
    const e = scriptError(r.code, r.stderr.toString('utf8'), op);
    if (e) throw this.err(e.code, e.message, path);
  }

  copyEntries(c: { src: string; names: string[]; dest: string; tmp: string }): Promise<void> {
    return this.entryScript(copyEntriesScript({ ...c, physicalDest: c.dest }), `copy from ${c.src}`, c.dest);
  }

  moveEntries(m: { base: string; moves: { from: string; to: string }[]; missingOk: boolean }): Promise<void> {
    return this.entryScript(moveEntriesScript({ ...m, physicalBase: m.base }), 'move', m.base);
  }

  dropCopy(base: string, tmp: string): Promise<void> {
    return this.entryScript(dropCopyScript(base, base, tmp), 'remove temporary copy', `${base}/${tmp}`);
  }

  async rmdir(path: string): Promise<void> {
    try {
      await this.req('rmdir', path, (cb) => this.raw.rmdir(path, cb));
    } catch (e) {
      if ((e as SftpErr)?.code === FX.FAILURE && !this.closed) {
        const st = await this.lstatRaw(path).catch(() => null);
        if (st?.isDirectory()) throw this.err('ENOTEMPTY', 'rmdir: directory not empty', path);
        if (st) throw this.err('ENOTDIR', 'rmdir: not a directory', path);
      }
      throw this.mapSftp(e, 'rmdir', path);
    }
  }

  async unlink(path: string): Promise<void> {
    try {
      await this.req('unlink', path, (cb) => this.raw.unlink(path, cb));
    } catch (e) {
      if ((e as SftpErr)?.code === FX.FAILURE && !this.closed) {
        const st = await this.lstatRaw(path).catch(() => null);
        if (st?.isDirectory()) throw this.err('EISDIR', 'unlink: is a directory', path);
      }
      throw this.mapSftp(e, 'unlink', path);
    }
  }

  async exec(command: string): Promise<ExecResult> {
    const r = await this.execRaw(command);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }
}
