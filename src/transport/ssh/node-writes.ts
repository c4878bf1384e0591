import { randomBytes } from 'node:crypto';
import type { Stats } from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import { hasEscapedBytes } from '../../shared/name-bytes.js';
import { adoptEntriesScript, assignBytes, copyEntriesScript, dropCopyScript, heldAt, scriptError } from '../copy-script.js';
import type { EntryCopy } from '../types.js';
import { shQuote } from '../sh-quote.js';
import type { Ownership } from '../types.js';
import type { RawExec } from './exec-channel.js';
import { FX, fxCode, type SftpChannel } from './sftp-channel.js';

/**
 * The writer mapping: each NodeWriter operation as SFTP requests on the node's channel (copyTree: one
 * `cp -a` exec). Every failure is a one-line ClawError naming the node and the path.
 */

/** Writes up to this size are one SFTP request (ssh2 splits bigger ones), so later requests can be pipelined. */
const ONE_WRITE_MAX_BYTES = 16 * 1024;

function dirnameOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function basenameOf(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

const toBuffer = (data: string | Buffer): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

type WriteOutcome = { at: 'none' } | { at: 'write' | 'close'; error: unknown };

/** Whether a path cannot travel over SFTP as it is (ssh2 sends paths as UTF-8: a byte that is not would be lost). */
const notUtf8 = (...paths: string[]): boolean => paths.some(hasEscapedBytes);

export class NodeWrites {
  constructor(
    private readonly ch: SftpChannel,
    private readonly exec: (command: string, stdin?: string, tied?: boolean) => Promise<RawExec>,
  ) {}

  /** Runs one of copy-script.ts's scripts (or a small script of this file) as one command line; a failure is one whole line. */
  private async script(script: string, op: string, path: string, tied = false): Promise<void> {
    const r = await this.exec('/bin/sh -c ' + shQuote(script), undefined, tied);
    const e = scriptError(r.code, r.stderr.toString('utf8'), op);
    if (e) throw this.ch.err(e.code, e.message, path);
  }

  /** The operations below for a path that is not valid UTF-8: the node's own tools, with the path's bytes. */
  private bytesOp(op: 'mkdir' | 'rename' | 'rmdir' | 'unlink', a: string, b = '', mode = 0): Promise<void> {
    const body: Record<typeof op, string> = {
      mkdir: `mkdir -m ${(mode & 0o7777).toString(8)} -- "$a" || exit 17`,
      rename: 'if [ -e "$b" ] || [ -L "$b" ]; then echo "target already exists" >&2; exit 17; fi\nif [ ! -e "$a" ] && [ ! -L "$a" ]; then echo "source does not exist" >&2; exit 2; fi\nmv -T -- "$a" "$b" </dev/null',
      rmdir: 'rmdir -- "$a"',
      unlink: 'if [ -d "$a" ] && [ ! -L "$a" ]; then echo "is a directory" >&2; exit 21; fi\nrm -f -- "$a"',
    };
    return this.script([assignBytes('a', a), assignBytes('b', b), body[op]].join('\n'), op, op === 'rename' ? b : a);
  }

  copyEntries(c: EntryCopy): Promise<void> {
    // Ends with the connection: the script's stdin stays open while the client lives (see copyTree).
    return this.script(copyEntriesScript({ src: c.src, dest: heldAt(c.base, c.dest), tmp: c.tmp }, true), `copy from ${c.src}`, `${c.dest}/${c.tmp}`, true);
  }

  adoptEntries(c: EntryCopy & { drop: string[] }): Promise<void> {
    return this.script(adoptEntriesScript(heldAt(c.base, c.dest), c.tmp, c.drop), `move the copy in from ${c.tmp}`, c.dest);
  }

  async dropCopy(c: Omit<EntryCopy, 'src'>): Promise<void> {
    if (!(await this.ch.lstat(`${c.dest}/${c.tmp}`))?.isDirectory()) return; // nothing to remove: no command run
    await this.script(dropCopyScript(heldAt(c.base, c.dest), c.tmp), 'remove the temporary copy', `${c.dest}/${c.tmp}`);
  }

  async mkdir(path: string, mode: number): Promise<void> {
    if (notUtf8(path)) return this.bytesOp('mkdir', path, '', mode);
    try {
      await this.ch.send((cb) => this.ch.raw.mkdir(path, { mode: mode & 0o7777 }, cb));
    } catch (e) {
      throw await this.ch.refineExists(e, 'mkdir', path);
    }
    await this.ch.call('chmod', path, (cb) => this.ch.raw.chmod(path, mode & 0o7777, cb));
  }

  async symlink(target: string, path: string): Promise<void> {
    try {
      // ssh2 swaps the arguments for OpenSSH servers itself (OpenSSH's sftp-server has them reversed).
      await this.ch.send((cb) => this.ch.raw.symlink(target, path, cb));
    } catch (e) {
      throw await this.ch.refineExists(e, 'symlink', path);
    }
  }

  /** Create `path` (must not exist), write `data`, set the exact mode, fsync; remove it again on failure. */
  private async writeNew(path: string, data: Buffer, mode: number, op: string): Promise<void> {
    let handle: Buffer;
    try {
      handle = await this.ch.send<Buffer>((cb) => this.ch.raw.open(path, 'wx', { mode: mode & 0o7777 }, cb));
    } catch (e) {
      throw await this.ch.refineExists(e, op, path);
    }
    const failed = await this.writeAndClose(handle, path, data, mode);
    if (failed.at === 'write') await this.ch.send((cb) => this.ch.raw.unlink(path, cb)).catch(() => {});
    if (failed.at !== 'none') throw this.ch.map(failed.error, op, path);
  }

  /**
   * Writes `data` at offset 0 of an open handle, then (with a mode) fchmod, then fsync and close. The server
   * handles one channel's requests in order: a small write, fchmod, fsync and close go out together (one
   * round trip); a bigger write (several requests) completes before the rest is sent. The handle is closed
   * whatever happens; the result says what failed first.
   */
  private async writeAndClose(handle: Buffer, path: string, data: Buffer, mode: number | null): Promise<WriteOutcome> {
    const { ch } = this;
    const write = () => ch.send((cb) => ch.raw.write(handle, data, 0, data.length, 0, cb));
    let firstErr: unknown;
    try {
      if (data.length > ONE_WRITE_MAX_BYTES) await write();
    } catch (e) {
      firstErr = e;
    }
    const steps: Promise<unknown>[] = [];
    if (firstErr === undefined) {
      if (data.length > 0 && data.length <= ONE_WRITE_MAX_BYTES) steps.push(write());
      if (mode !== null) steps.push(ch.send((cb) => ch.raw.fchmod(handle, mode & 0o7777, cb)));
      steps.push(this.fsync(handle));
    }
    const closing = ch.send((cb) => ch.raw.close(handle, cb));
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

  private async fsync(handle: Buffer): Promise<void> {
    await this.ch.send((cb) => this.ch.raw.ext_openssh_fsync(handle, cb)).catch((e: unknown) => {
      if (/not supported|Server does not support/i.test(String((e as Error)?.message)) || fxCode(e) === FX.OP_UNSUPPORTED) return;
      throw e;
    });
  }

  async writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
    const dir = dirnameOf(path);
    const tmp = `${dir === '/' ? '' : dir}/.${basenameOf(path)}.clawfleet-tmp-${randomBytes(6).toString('hex')}`;
    try {
      await this.writeNew(tmp, toBuffer(data), mode, 'write temp file');
    } catch (e) {
      const c = e instanceof ClawError ? e : this.ch.map(e, 'write', path);
      throw this.ch.err(c.code, `${c.message} (${basenameOf(tmp)})`, path);
    }
    try {
      await this.ch.send((cb) => this.ch.raw.ext_openssh_rename(tmp, path, cb));
    } catch (e) {
      await this.ch.send((cb) => this.ch.raw.unlink(tmp, cb)).catch(() => {});
      throw this.ch.map(e, 'replace', path);
    }
  }

  async writeFileExclusive(path: string, data: string | Buffer, mode: number): Promise<void> {
    await this.writeNew(path, toBuffer(data), mode, 'create');
  }

  async appendFile(path: string, data: string): Promise<void> {
    const handle = await this.ch.call<Buffer>('append', path, (cb) => this.ch.raw.open(path, 'a', { mode: 0o600 }, cb));
    // The handle is O_APPEND on the server: the offset is ignored.
    const failed = await this.writeAndClose(handle, path, Buffer.from(data, 'utf8'), null);
    if (failed.at !== 'none') throw this.ch.map(failed.error, 'append', path);
  }

  async readFile(path: string): Promise<Buffer> {
    const st = await this.ch.call<Stats>('read', path, (cb) => this.ch.raw.stat(path, cb));
    if (st.isDirectory()) throw this.ch.err('EISDIR', 'read: is a directory', path);
    if (!st.isFile()) throw this.ch.err('EINVAL', 'read: not a regular file', path);
    return this.ch.call<Buffer>('read', path, (cb) => this.ch.raw.readFile(path, cb));
  }

  async rename(from: string, to: string): Promise<void> {
    if (notUtf8(from, to)) return this.bytesOp('rename', from, to);
    if (await this.ch.lstat(to)) throw this.ch.err('EEXIST', `rename ${from}: target already exists`, to);
    try {
      // Plain SFTP rename refuses an existing target (OpenSSH: link+unlink), closing the check-then-act gap.
      await this.ch.send((cb) => this.ch.raw.rename(from, to, cb));
    } catch (e) {
      if (fxCode(e) === FX.NO_SUCH_FILE && !(await this.ch.lstat(from).catch(() => null))) throw this.ch.err('ENOENT', `rename: source ${from} does not exist`, to);
      throw await this.ch.refineExists(e, `rename ${from}`, to);
    }
  }

  async replace(from: string, to: string): Promise<void> {
    try {
      await this.ch.send((cb) => this.ch.raw.ext_openssh_rename(from, to, cb));
    } catch (e) {
      if (fxCode(e) === FX.NO_SUCH_FILE) throw this.ch.err('ENOENT', `replace: ${from} or the target dir does not exist`, to);
      throw this.ch.map(e, `replace by ${from}`, to);
    }
  }

  async setOwner(path: string, o: Ownership): Promise<void> {
    const st = await this.ch.lstat(path);
    if (!st) throw this.ch.err('ENOENT', 'setOwner: no such file or directory', path);
    if (st.isSymbolicLink()) throw this.ch.err('ELOOP', 'setOwner: is a symlink: refusing to follow it', path);
    if (!st.isDirectory() && !st.isFile()) throw this.ch.err('EINVAL', 'setOwner: not a dir or a regular file', path);
    // lsetstat@openssh.com (fchownat/fchmodat with AT_SYMLINK_NOFOLLOW on the node): plain SETSTAT follows a
    // link swapped in since the lstat above. Owner first (a chown may clear set-id bits), then the mode; a link
    // swapped in between only ever gets its own owner changed, and its chmod fails.
    await this.lsetstat('setOwner', path, { uid: o.uid, gid: o.gid });
    await this.lsetstat('setOwner', path, { mode: o.mode & 0o7777 });
  }

  async setLinkOwner(path: string, o: { uid: number; gid: number }): Promise<void> {
    const st = await this.ch.lstat(path);
    if (!st) throw this.ch.err('ENOENT', 'setLinkOwner: no such file or directory', path);
    if (!st.isSymbolicLink()) throw this.ch.err('EINVAL', 'setLinkOwner: not a symlink', path);
    await this.lsetstat('setLinkOwner', path, { uid: o.uid, gid: o.gid });
  }

  private async lsetstat(op: string, path: string, attrs: { uid?: number; gid?: number; mode?: number }): Promise<void> {
    try {
      await this.ch.send((cb) => this.ch.raw.ext_openssh_lsetstat(path, attrs, cb));
    } catch (e) {
      if (/does not support this extended request/.test(String((e as Error)?.message)))
        throw this.ch.err('ENOTSUP', `${op}: the node's SFTP server lacks lsetstat@openssh.com (needed to change an owner without following links)`, path);
      if (fxCode(e) === FX.FAILURE || fxCode(e) === FX.OP_UNSUPPORTED) throw this.ch.err('EIO', `${op}: could not change owner or mode (a symlink, or not permitted)`, path);
      throw this.ch.map(e, op, path);
    }
  }

  async rmdir(path: string): Promise<void> {
    if (notUtf8(path)) return this.bytesOp('rmdir', path);
    try {
      await this.ch.send((cb) => this.ch.raw.rmdir(path, cb));
    } catch (e) {
      const there = await this.ch.kindAfterFailure(e, path);
      if (there === 'dir') throw this.ch.err('ENOTEMPTY', 'rmdir: directory not empty', path);
      if (there === 'other') throw this.ch.err('ENOTDIR', 'rmdir: not a directory', path);
      throw this.ch.map(e, 'rmdir', path);
    }
  }

  async unlink(path: string): Promise<void> {
    if (notUtf8(path)) return this.bytesOp('unlink', path);
    try {
      await this.ch.send((cb) => this.ch.raw.unlink(path, cb));
    } catch (e) {
      if ((await this.ch.kindAfterFailure(e, path)) === 'dir') throw this.ch.err('EISDIR', 'unlink: is a directory', path);
      throw this.ch.map(e, 'unlink', path);
    }
  }

  async copyTree(from: string, to: string): Promise<void> {
    // One command line (no script on stdin). The copy can take minutes: it must end with the connection (a
    // killed or interrupted client leaves no cp running on the node). sshd gives a command no signal when the
    // client goes away, only EOF on its stdin, which stays open while the client lives (exec `tied`): a
    // watcher reads it and kills cp at EOF.
    const script = [
      `${assignBytes('f', from)}; ${assignBytes('t', to)}`,
      'if [ -e "$t" ] || [ -L "$t" ]; then exit 17; fi',
      'if [ ! -e "$f" ] && [ ! -L "$f" ]; then exit 2; fi',
      'exec 3<&0',
      'cp -a -- "$f" "$t" </dev/null 3<&- & c=$!',
      '(while read -r _ <&3; do :; done; kill -TERM "$c" 2>/dev/null) & w=$!',
      'exec 3<&-',
      'wait "$c"; rc=$?',
      'kill "$w" 2>/dev/null',
      'exit "$rc"',
    ].join('; ');
    const r = await this.exec('/bin/sh -c ' + shQuote(script), undefined, true);
    if (r.code === 0) return;
    if (r.code === 17) throw this.ch.err('EEXIST', 'copy: target already exists', to);
    if (r.code === 2) throw this.ch.err('ENOENT', `copy: source ${from} does not exist`, to);
    const e = scriptError(r.code, r.stderr.toString('utf8'), `copy from ${from}`)!;
    throw this.ch.err(e.code, e.message, to);
  }
}
