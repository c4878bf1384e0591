import { createReadStream } from 'node:fs';
import type { Client } from 'ssh2';
import { ClawError } from '../../domain/errors.js';
import type { BootstrapFacts, OpenclawBinary, ProbeRequest, ProbeResult } from '../../domain/facts.js';
import { bootstrapProbeScript, parseBootstrapProbe, type BootstrapQuery } from '../bootstrap-probe.js';
import { binaryScript, parseBinaryOutput } from '../openclaw-cli.js';
import type { OwnedStat, OwnedStats } from '../path-trust.js';
import type { EntryCopy, ExecResult, NodeWriter, Ownership } from '../types.js';
import { connectNode, type ConnectOptions, type NodeConnection } from './connect.js';
import { ExecChannel, firstLine, type RawExec } from './exec-channel.js';
import { NodeWrites } from './node-writes.js';
import { parseProbeOutput } from './probe-output.js';
import { encodeProbeRequest, probeCommand, probeFoundGnuFind } from './probe-request.js';
import { SftpChannel, type ChannelOwner } from './sftp-channel.js';
import { sftpMayAnswer, sftpProbe } from './sftp-probe.js';

/**
 * A node reached over one SSH connection: the SFTP channel (sftp-channel.ts) for file operations and small
 * probes (sftp-probe.ts), `exec` channels on the same connection (exec-channel.ts) for the probe script
 * (probe.sh) and shell commands, the writer mapping in node-writes.ts. Every failure is a one-line
 * ClawError naming the node and the path.
 */
export class SshNode implements NodeWriter, ChannelOwner {
  readonly node: string;
  /** Probes answered so far (by the script or, small ones, over SFTP). */
  probeCount = 0;
  private readonly client: Client;
  private readonly sftp: SftpChannel;
  private readonly execs: ExecChannel;
  private readonly writes: NodeWrites;
  private homeDir: Promise<string> | undefined;
  /** Whether the node's find is GNU find (learnt from the first probe that needed find). */
  private gnuFind: boolean | undefined;
  private isClosed = false;
  private closing: Promise<void> | undefined;

  constructor(
    node: string,
    readonly conn: NodeConnection,
  ) {
    this.node = node;
    this.client = conn.client;
    this.sftp = new SftpChannel(conn.raw, this);
    this.execs = new ExecChannel(this.client, this, conn.become === 'sudo');
    this.writes = new NodeWrites(this.sftp, (command, stdin, tied) => this.execs.run(command, stdin, tied));
    this.client.on('close', () => {
      this.isClosed = true;
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

  /** The SSH connection is gone. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Exec channels opened so far (a probe is exactly one). */
  get execCount(): number {
    return this.execs.count;
  }

  /** SFTP requests sent so far (each is one request/response on the open SFTP channel). */
  get sftpCount(): number {
    return this.sftp.count;
  }

  private withNode(e: unknown): ClawError {
    if (e instanceof ClawError) return e.node ? e : new ClawError(e.code, e.message, { node: this.node, path: e.path });
    return new ClawError('EIO', firstLine(String((e as Error)?.message ?? e), 'error'), { node: this.node });
  }

  // ------------------------------------------------------------ NodeReader

  home(): Promise<string> {
    this.homeDir ??= this.sftp.call<string>('cannot resolve the login directory', '~', (cb) => this.sftp.raw.realpath('.', cb)).catch((e: unknown) => {
      this.homeDir = undefined;
      throw e;
    });
    return this.homeDir;
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    if (req.access && (this.conn.become === 'sudo' || this.conn.params.user === 'root')) {
      // Root may write everywhere (a read-only mount or a full disk shows at apply time, rolled back):
      // nothing to ask the node.
      const { access: _mayWrite, ...rest } = req;
      return { ...(await this.probe(rest)), access: {} };
    }
    let request: string;
    try {
      request = encodeProbeRequest(req, this.gnuFind === undefined ? {} : { gnuFind: this.gnuFind });
    } catch (e) {
      throw this.withNode(e);
    }
    if (sftpMayAnswer(req)) {
      const answered = await sftpProbe(this.sftp, req);
      if (answered) {
        this.probeCount++;
        return answered;
      }
    }
    this.probeCount++;
    const r = await this.execs.run(probeCommand(), request);
    this.gnuFind ??= probeFoundGnuFind(r.stdout);
    try {
      return parseProbeOutput(req, r.stdout, this.node);
    } catch (e) {
      if (r.code !== 0 && e instanceof ClawError && e.code === 'EIO' && !e.path) {
        const why = firstLine(r.stderr);
        throw new ClawError('EIO', `probe failed (exit ${r.code})${why ? `: ${why}` : ''}`, { node: this.node });
      }
      throw this.withNode(e);
    }
  }

  async openclawVersion(): Promise<string | null> {
    return (await this.openclawBinary())?.version ?? null;
  }

  async openclawBinary(): Promise<OpenclawBinary | null> {
    // The script on stdin of `/bin/sh -s` (whatever the login shell is), parsed whole, then run without stdin.
    const r = await this.execs.run('/bin/sh -s', `{\n${binaryScript()}\n} </dev/null\n`);
    return parseBinaryOutput(r.code, r.stdout.toString('utf8'));
  }

  async bootstrapFacts(q: BootstrapQuery): Promise<BootstrapFacts> {
    const r = await this.execs.run('/bin/sh -s', `{\n${bootstrapProbeScript(q)}\n} </dev/null\n`);
    return parseBootstrapProbe(r.stdout.toString('utf8'));
  }

  async close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      const t = setTimeout(() => this.client.destroy(), 3000);
      try {
        if (!this.isClosed) await this.conn.sftp.end();
      } catch {
        this.client.destroy();
      } finally {
        clearTimeout(t);
        this.isClosed = true;
      }
    })();
    return this.closing;
  }

  // ------------------------------------------------------------ NodeWriter (node-writes.ts)

  mkdir(path: string, mode: number): Promise<void> {
    return this.writes.mkdir(path, mode);
  }
  symlink(target: string, path: string): Promise<void> {
    return this.writes.symlink(target, path);
  }
  writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
    return this.writes.writeFileAtomic(path, data, mode);
  }
  writeFileExclusive(path: string, data: string | Buffer, mode: number): Promise<void> {
    return this.writes.writeFileExclusive(path, data, mode);
  }
  appendFile(path: string, data: string): Promise<void> {
    return this.writes.appendFile(path, data);
  }
  writeHeartbeat(path: string, data: string): Promise<void> {
    return this.writes.writeFileAtomic(path, data, 0o600);
  }
  readFile(path: string): Promise<Buffer> {
    return this.writes.readFile(path);
  }
  rename(from: string, to: string): Promise<void> {
    return this.writes.rename(from, to);
  }
  replace(from: string, to: string): Promise<void> {
    return this.writes.replace(from, to);
  }
  copyTree(from: string, to: string): Promise<void> {
    return this.writes.copyTree(from, to);
  }
  setOwner(path: string, owner: Ownership): Promise<void> {
    return this.writes.setOwner(path, owner);
  }
  setLinkOwner(path: string, owner: { uid: number; gid: number }): Promise<void> {
    return this.writes.setLinkOwner(path, owner);
  }
  copyEntries(c: EntryCopy): Promise<void> {
    return this.writes.copyEntries(c);
  }
  adoptEntries(c: EntryCopy & { drop: string[] }): Promise<void> {
    return this.writes.adoptEntries(c);
  }
  dropCopy(c: Omit<EntryCopy, 'src'>): Promise<void> {
    return this.writes.dropCopy(c);
  }
  /** The uid the SSH (or become) user has on the node (`id -u`, asked once per connection). */
  private uid: Promise<number> | undefined;

  async lstatOwned(paths: string[]): Promise<OwnedStats> {
    this.uid ??= this.execs.run('id -u').then((r) => {
      const n = Number(r.stdout.toString('utf8').trim());
      if (r.code !== 0 || !Number.isInteger(n) || n < 0) {
        this.uid = undefined;
        throw new ClawError('EIO', `cannot learn the user id on the node (id -u: exit ${r.code})`, { node: this.node });
      }
      return n;
    });
    const [uid, list] = await Promise.all([
      this.uid,
      Promise.all(
        paths.map(async (p): Promise<OwnedStat> => {
          const st = await this.sftp.lstat(p);
          if (!st) return { kind: 'missing', mode: 0, uid: -1 };
          const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
          return { kind, mode: st.mode & 0o7777, uid: st.uid };
        }),
      ),
    ]);
    return { uid, stats: Object.fromEntries(paths.map((p, i) => [p, list[i]!])) };
  }

  rmdir(path: string): Promise<void> {
    return this.writes.rmdir(path);
  }
  unlink(path: string): Promise<void> {
    return this.writes.unlink(path);
  }

  async execWithFile(command: string, localFile: string): Promise<ExecResult> {
    const r: RawExec = await this.execs.run(command, createReadStream(localFile));
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }

  async exec(command: string): Promise<ExecResult> {
    const r: RawExec = await this.execs.run(command);
    return { code: r.code, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
  }
}
