import type { Client } from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import { shQuote } from '../sh-quote.js';

/**
 * `become: sudo`: a non-root login whose writes and commands run as root through `sudo -n` (never a
 * password prompt). The SFTP channel is the node's own sftp-server started by `sudo -n` over an exec
 * channel (so every SFTP request, and the fast pipelined writes, run as root), and every command is
 * `sudo -n /bin/sh -c …`. Both start in root's home, as a root login does, so `~` means root's home.
 */

const SUDO = 'sudo -n -H --';

/** Where distributions install OpenSSH's sftp-server (Debian/Ubuntu, RHEL/Fedora, Alpine/BSD, Arch, SUSE). */
const SFTP_SERVERS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server', '/usr/lib/ssh/sftp-server', '/usr/lib/sftp-server'];

/** Exit code of the SFTP command when the node has none of SFTP_SERVERS. */
export const NO_SFTP_SERVER = 127;

/** The command that serves SFTP as root: the first sftp-server found, in root's home. */
export function sudoSftpCommand(): string {
  const script = [
    'cd 2>/dev/null',
    `for p in ${SFTP_SERVERS.join(' ')}; do if [ -x "$p" ]; then exec "$p"; fi; done`,
    `echo "clawfleet: no sftp-server program on this node (looked for ${SFTP_SERVERS.join(', ')})" >&2`,
    `exit ${NO_SFTP_SERVER}`,
  ].join('; ');
  return `${SUDO} /bin/sh -c ${shQuote(script)}`;
}

/** `command` (what the login shell would have run) run by /bin/sh as root, in root's home. */
export function sudoCommand(command: string): string {
  return `${SUDO} /bin/sh -c ${shQuote('cd 2>/dev/null; eval "$1"')} clawfleet ${shQuote(command)}`;
}

/** stderr without sudo's own warnings that say nothing about the command ("unable to resolve host"). */
export function withoutSudoNoise(stderr: Buffer): Buffer {
  const text = stderr.toString('utf8');
  if (!text.startsWith('sudo: ')) return stderr;
  return Buffer.from(text.replace(/^sudo: unable to resolve host [^\n]*\n/gm, ''), 'utf8');
}

interface Internals {
  _protocol?: { subsystem: (chan: number, name: string, wantReply: boolean) => void; exec: (chan: number, cmd: string, wantReply: boolean) => void };
}

/**
 * Makes the client's next SFTP channel run `command` (an exec request) instead of asking for the `sftp`
 * subsystem, as `sftp -s COMMAND` does: ssh2 has no option for it, so its one subsystem request is
 * rewritten. Call it from the connection's 'ready' event, before the SFTP channel is requested.
 */
export function sftpOverExec(client: Client, command: string): void {
  const proto = (client as unknown as Internals)._protocol;
  if (!proto || typeof proto.subsystem !== 'function' || typeof proto.exec !== 'function') {
    throw new Error('this ssh2 version cannot run SFTP over sudo (no protocol subsystem request to rewrite)');
  }
  const subsystem = proto.subsystem;
  proto.subsystem = function (chan: number, name: string, wantReply: boolean) {
    proto.subsystem = subsystem;
    if (name !== 'sftp') return subsystem.call(proto, chan, name, wantReply);
    return proto.exec.call(proto, chan, command, wantReply);
  };
}

/** Runs `sudo -n true` to learn why the SFTP channel through sudo did not start; a one-line ClawError. */
export function sudoRefusal(client: Client, node: string, who: string, sftpError: Error & { code?: unknown }): Promise<ClawError> {
  if (sftpError.code === NO_SFTP_SERVER)
    return Promise.resolve(new ClawError('BECOME_FAILED', `become: sudo: ${who} has no sftp-server program (looked for ${SFTP_SERVERS.join(', ')})`, { node }));
  return new Promise((resolve) => {
    const fallback = (why: string) => resolve(new ClawError('BECOME_FAILED', `become: sudo: ${why} (${who})`, { node }));
    try {
      client.exec(`${SUDO} true`, (err, stream) => {
        if (err) return fallback(`the SFTP channel through sudo did not start: ${firstLine(sftpError.message)}`);
        let stderr = '';
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.on('data', () => {});
        stream.on('close', (code: number | null) => {
          const said = firstLine(stderr);
          if (code !== 0 && /password is required|terminal is required|askpass/i.test(said))
            return fallback(`sudo -n wants a password; allow this user passwordless sudo (NOPASSWD) or log in as root: ${said}`);
          if (code === 127 || /not found/.test(said)) return fallback('sudo is not installed on the node');
          if (code !== 0) return fallback(`sudo -n refused: ${said || `exit ${code}`}`);
          fallback(`the SFTP channel through sudo did not start: ${firstLine(sftpError.message)}`);
        });
        stream.end();
      });
    } catch (e) {
      fallback(`the SFTP channel through sudo did not start: ${firstLine((e as Error).message)}`);
    }
  });
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim()) ?? '').trim().slice(0, 200);
}
