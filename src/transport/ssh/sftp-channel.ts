import type { SFTPWrapper, Stats } from 'ssh2';
import { ClawError, type ErrorCode } from '../../domain/errors.js';
import { Limiter, MAX_SFTP_IN_FLIGHT } from '../concurrency.js';

/** SFTP status codes (draft-ietf-secsh-filexfer-02, what OpenSSH speaks). */
export const FX = { NO_SUCH_FILE: 2, PERMISSION_DENIED: 3, FAILURE: 4, NO_CONNECTION: 6, CONNECTION_LOST: 7, OP_UNSUPPORTED: 8 } as const;

export type SftpErr = Error & { code?: number | string };

/** The code of a raw SFTP error (undefined for anything else). */
export function fxCode(e: unknown): number | string | undefined {
  return (e as SftpErr | undefined)?.code;
}

/** What a request may turn into something other than an error. */
export interface Tolerate<M> {
  /** NO_SUCH_FILE resolves to this value instead of failing. */
  missing?: M;
  /** The message of PERMISSION_DENIED (default: "`op`: permission denied"). */
  denied?: string;
}

/** Where the node's connection stands, as the channel reports it in errors. */
export interface ChannelOwner {
  readonly node: string;
  /** "host:port" as connected. */
  readonly endpoint: string;
  /** The SSH connection is gone. */
  readonly closed: boolean;
}

/**
 * The node's SFTP channel: every request goes through the in-flight limiter, is counted, and fails with the
 * ONE error mapping below (a one-line ClawError naming node, path and operation).
 */
export class SftpChannel {
  /** SFTP requests sent so far (each is one request/response on the channel). */
  count = 0;
  private readonly ops = new Limiter(MAX_SFTP_IN_FLIGHT);

  constructor(
    readonly raw: SFTPWrapper,
    private readonly owner: ChannelOwner,
  ) {}

  err(code: ErrorCode, message: string, path?: string): ClawError {
    return new ClawError(code, message, { node: this.owner.node, path });
  }

  lost(): ClawError {
    return this.err('CONN_LOST', `connection to ${this.owner.endpoint} lost`);
  }

  get closed(): boolean {
    return this.owner.closed;
  }

  /** The one mapping of a raw SFTP error; FAILURE (4) is left to the caller when the operation knows better. */
  map(e: unknown, op: string, path: string, denied?: string): ClawError {
    if (e instanceof ClawError) return e;
    const err = e as SftpErr;
    const msg = String(err?.message ?? e).split('\n')[0] ?? '';
    if (this.closed || err?.code === FX.NO_CONNECTION || err?.code === FX.CONNECTION_LOST || /No response from server|Not connected|ECONNRESET/.test(msg))
      return this.lost();
    switch (err?.code) {
      case FX.NO_SUCH_FILE:
        return this.err('ENOENT', `${op}: no such file or directory`, path);
      case FX.PERMISSION_DENIED:
        return this.err('EACCES', denied ?? `${op}: permission denied`, path);
      case FX.OP_UNSUPPORTED:
        return this.err('ENOTSUP', `${op}: not supported by the server`, path);
      default:
        return this.err('EIO', `${op}: ${msg || 'failed'}`, path);
    }
  }

  /** One raw request through the limiter; rejects with the raw SFTP error (for callers that refine it). */
  send<T>(fn: (cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
    if (this.closed) return Promise.reject(this.lost());
    return this.ops.run(
      () =>
        new Promise<T>((resolve, reject) => {
          this.count++;
          try {
            fn((err, v) => (err ? reject(err) : resolve(v as T)));
          } catch (e) {
            reject(e);
          }
        }),
    );
  }

  /** One request, mapped: NO_SUCH_FILE may resolve to `tolerate.missing`; every other error is a ClawError. */
  call<T, M = never>(op: string, path: string, fn: (cb: (err: Error | undefined | null, v?: T) => void) => void, tolerate: Tolerate<M> = {}): Promise<T | M> {
    return this.send<T>(fn).catch((e: unknown) => {
      if ('missing' in tolerate && fxCode(e) === FX.NO_SUCH_FILE) return tolerate.missing as M;
      throw this.map(e, op, path, tolerate.denied);
    });
  }

  lstat(path: string, tolerate: { denied?: string } = {}): Promise<Stats | null> {
    return this.call<Stats, null>('lstat', path, (cb) => this.raw.lstat(path, cb), { missing: null, ...tolerate });
  }

  readlink(path: string): Promise<string | null> {
    return this.call<string, null>('readlink', path, (cb) => this.raw.readlink(path, cb), { missing: null });
  }

  /** A whole file, or null when it is gone. */
  readFile(path: string, denied = 'permission denied'): Promise<Buffer | null> {
    return this.call<Buffer, null>('read', path, (cb) => this.raw.readFile(path, cb), { missing: null, denied });
  }

  /**
   * After a FAILURE (OpenSSH reports EEXIST as plain FAILURE): EEXIST when something is at `path`, else
   * the mapped error.
   */
  async refineExists(e: unknown, op: string, path: string): Promise<ClawError> {
    if (fxCode(e) === FX.FAILURE && !this.closed) {
      const st = await this.lstat(path).catch(() => null);
      if (st) return this.err('EEXIST', `${op}: already exists`, path);
    }
    return this.map(e, op, path);
  }

  /**
   * After a FAILURE of rmdir/unlink: what is at `path` (a dir, anything else, nothing), so the caller can
   * name the real cause.
   */
  async kindAfterFailure(e: unknown, path: string): Promise<'dir' | 'other' | null> {
    if (fxCode(e) !== FX.FAILURE || this.closed) return null;
    const st = await this.lstat(path).catch(() => null);
    return st ? (st.isDirectory() ? 'dir' : 'other') : null;
  }
}
