import { randomBytes } from 'node:crypto';
import { constants as osConstants } from 'node:os';
import type { Client, SFTPWrapper, Stats } from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import type { ProbeRequest, ProbeResult } from '../../domain/facts.js';
import { shQuote } from '../sh-quote.js';
import type { ExecResult, NodeWriter } from '../types.js';
import { connectNode, Limiter, type ConnectOptions, type NodeConnection } from './connect.js';
import { buildProbeScript, parseProbeOutput } from './probe-script.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH speaks). */
const FX = { NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8 };

/** Per connection: at most this many SFTP requests in flight (ssh2 warns past 10 listeners). */
export const MAX_SFTP_IN_FLIGHT = 8;
/** Exec channels in flight; with the SFTP channel this stays below sshd's MaxSessions (10). */
export const MAX_EXEC_IN_FLIGHT = 6;

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
  /** Probes answered so far. */
  probeCount = 0;
  private readonly client: Client;
  private readonly raw: SFTPWrapper;
  private readonly ops = new Limiter(MAX_SFTP_IN_FLIGHT);
  private readonly execs = new Limiter(MAX_EXEC_IN_FLIGHT);
  private homeDir: Promise<string> | undefined;
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
      script = buildProbeScript(req);
    } catch (e) {
      throw this.withNode(e);
    }
    this.probeCount++;
    const r = await this.execRaw('/bin/sh -s', script);
    try {
      return parseProbeOutput(req, r.stdout, this.node);
    } catch (e) {
      if (r.code !== 0 && e instanceof ClawError && e.code === 'EIO' && !e.path) {
        const why = r.stderr.toString('utf8').split('\n').find((l) => l.trim()) ?? '';
        throw this.err('EIO', `probe failed (exit ${r.code})${why ? `: ${why.slice(0, 200)}` : ''}`);
      }
      throw this.withNode(e);
    }
  }

  async openclawVersion(): Promise<string | null> {
    const r = await this.execScript(
      [
        'PATH="$PATH:$HOME/.npm-global/bin:$HOME/.local/bin:/usr/local/bin"; export PATH',
        'oc=$(command -v openclaw 2>/dev/null)',
        'if [ -z "$oc" ]; then oc=$("${SHELL:-/bin/sh}" -lc "command -v openclaw" </dev/null 2>/dev/null | tail -n 1); fi',
        'case $oc in /*) ;; *) exit 127 ;; esac',
        'exec "$oc" --version 2>/dev/null',
      ].join('\n'),
    );
    if (r.code !== 0) return null;
    return /\d{4}\.\d+\.\d+/.exec(r.stdout.toString('utf8'))?.[0] ?? null;
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
    try {
      if (data.length > 0) await this.req('write', path, (cb) => this.raw.write(handle, data, 0, data.length, 0, cb));
      await this.req('fchmod', path, (cb) => this.raw.fchmod(handle, mode & 0o7777, cb));
      await this.fsync(handle, path);
    } catch (e) {
      await this.req('close', path, (cb) => this.raw.close(handle, cb)).catch(() => {});
      await this.req('unlink', path, (cb) => this.raw.unlink(path, cb)).catch(() => {});
      throw this.mapSftp(e, op, path);
    }
    await this.req('close', path, (cb) => this.raw.close(handle, cb)).catch((e) => {
      throw this.mapSftp(e, op, path);
    });
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
    try {
      // The handle is O_APPEND on the server: the offset is ignored.
      if (buf.length > 0) await this.req('write', path, (cb) => this.raw.write(handle, buf, 0, buf.length, 0, cb));
      await this.fsync(handle, path);
    } catch (e) {
      await this.req('close', path, (cb) => this.raw.close(handle, cb)).catch(() => {});
      throw this.mapSftp(e, 'append', path);
    }
    await this.req('close', path, (cb) => this.raw.close(handle, cb)).catch((e) => {
      throw this.mapSftp(e, 'append', path);
    });
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
    const r = await this.execScript(
      [
        `f=${shQuote(from)}; t=${shQuote(to)}`,
        'if [ -e "$t" ] || [ -L "$t" ]; then exit 17; fi',
        'if [ ! -e "$f" ] && [ ! -L "$f" ]; then exit 2; fi',
        'exec cp -a -- "$f" "$t"',
      ].join('\n'),
    );
    if (r.code === 0) return;
    if (r.code === 17) throw this.err('EEXIST', 'copy: target already exists', to);
    if (r.code === 2) throw this.err('ENOENT', `copy: source ${from} does not exist`, to);
    const why = r.stderr.toString('utf8').split('\n').find((l) => l.trim()) ?? `exit ${r.code}`;
    throw this.err(/Permission denied/.test(why) ? 'EACCES' : 'EIO', `copy from ${from} failed: ${why.replace(/^cp: /, '').slice(0, 200)}`, to);
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
