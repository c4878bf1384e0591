import { constants as osConstants } from 'node:os';
import { Readable } from 'node:stream';
import type { Client } from 'ssh2';
import { Limiter, MAX_EXEC_IN_FLIGHT } from '../concurrency.js';
import { sudoCommand, withoutSudoNoise } from './become.js';
import type { ChannelOwner } from './sftp-channel.js';
import { ClawError } from '../../domain/errors.js';

export interface RawExec {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

/**
 * Commands run on the node over `exec` channels of the node's one SSH connection: at most
 * MAX_EXEC_IN_FLIGHT at once, each counted. A command's exit code, stdout and stderr come back whole; a
 * command killed by a signal reports 128 + its number, as a shell would.
 */
export class ExecChannel {
  /** Exec channels opened so far (a probe is exactly one). */
  count = 0;
  private readonly execs = new Limiter(MAX_EXEC_IN_FLIGHT);

  constructor(
    private readonly client: Client,
    private readonly owner: ChannelOwner,
    /** `become: sudo`: every command runs through `sudo -n` (become.ts). */
    private readonly sudo = false,
  ) {}

  private lost(): ClawError {
    return new ClawError('CONN_LOST', `connection to ${this.owner.endpoint} lost`, { node: this.owner.node });
  }

  /**
   * Run `command` (given to the login shell, as ssh does) with `stdin` as its whole input. `tied`: stdin stays
   * open while the command runs (no input is sent), so a command that watches it ends with the connection.
   */
  run(command: string, stdin?: string | Buffer | Readable, tied = false): Promise<RawExec> {
    if (this.owner.closed) return Promise.reject(this.lost());
    return this.execs.run(
      () =>
        new Promise<RawExec>((resolve, reject) => {
          this.count++;
          this.client.exec(this.sudo ? sudoCommand(command) : command, (err, stream) => {
            if (err) {
              reject(this.owner.closed ? this.lost() : new ClawError('EXEC_FAILED', `cannot run a command: ${err.message.split('\n')[0]}`, { node: this.owner.node }));
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
              if (tied) stream.end();
            });
            stream.on('error', () => {
              /* close follows */
            });
            stream.on('close', () => {
              if (code === null && signal === undefined && this.owner.closed) {
                reject(this.lost());
                return;
              }
              const sigNo = signal ? (osConstants.signals as Record<string, number>)[`SIG${signal}`] : undefined;
              const stderr = Buffer.concat(errb);
              resolve({ code: code ?? (sigNo ? 128 + sigNo : 255), stdout: Buffer.concat(out), stderr: this.sudo ? withoutSudoNoise(stderr) : stderr });
            });
            if (stdin instanceof Readable) {
              stdin.on('error', () => stream.destroy());
              stdin.pipe(stream);
            } else if (!tied) stream.end(stdin ?? '');
          });
        }),
    );
  }
}

/** The first non-blank line of a command's stderr (or `fallback`), at most `max` characters. */
export function firstLine(stderr: Buffer | string, fallback = '', max = 200): string {
  const text = typeof stderr === 'string' ? stderr : stderr.toString('utf8');
  return (text.split('\n').find((l) => l.trim()) ?? fallback).slice(0, max);
}
