import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { appendFile, chmod, cp, lchown, lstat, mkdir, open, readFile, rename, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, basename } from 'node:path';
import { ClawError } from '../domain/errors.js';
import type { OpenclawBinary, ProbeRequest, ProbeResult } from '../domain/facts.js';
import { listChildren, lstatFact, manifestOf, readText, writableDir } from './local-probe.js';
import { binaryScript, parseBinaryOutput } from './openclaw-cli.js';
import type { ExecResult, NodeWriter, Ownership } from './types.js';

export interface LocalNodeOptions {
  node: string;
  /** A host dir standing in for the node's `/`; undefined means this machine's real `/`. */
  root?: string;
  /** The node's home as a node path (default: /home/openclaw under a root, the real home otherwise). */
  home?: string;
}

/**
 * A node that is a directory on this machine. Node paths are mapped under `root`; symlink targets are
 * written mapped and read back unmapped, so links work on the host and look right to the planner.
 */
export class LocalNode implements NodeWriter {
  readonly node: string;
  private readonly root: string;
  private readonly homeDir: string;

  constructor(opts: LocalNodeOptions) {
    this.node = opts.node;
    this.root = opts.root && opts.root !== '/' ? opts.root.replace(/\/+$/, '') : '';
    this.homeDir = opts.home ?? (this.root ? '/home/openclaw' : homedir());
  }

  /** Host path of a node path. */
  host(p: string): string {
    if (!p.startsWith('/')) throw new ClawError('EPATH', 'not an absolute path', { node: this.node, path: p });
    return this.root + p;
  }

  private unmap = (t: string): string =>
    this.root && (t === this.root || t.startsWith(this.root + '/')) ? t.slice(this.root.length) || '/' : t;

  private fail(e: unknown, path: string): never {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    const msg = (e as Error).message?.split('\n')[0]?.replace(this.root, '') ?? String(e);
    throw new ClawError(code, msg.replace(/^[A-Z]+: /, ''), { node: this.node, path });
  }

  private async guard<T>(path: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof ClawError) throw e;
      this.fail(e, path);
    }
  }

  async home(): Promise<string> {
    return this.homeDir;
  }

  async probe(req: ProbeRequest): Promise<ProbeResult> {
    const res: ProbeResult = { stat: {}, manifest: {}, list: {}, read: {} };
    for (const p of req.stat ?? []) res.stat[p] = await this.guard(p, () => lstatFact(this.host(p), this.unmap));
    for (const p of req.manifest ?? []) res.manifest[p] = await this.guard(p, () => manifestOf(this.host(p), this.unmap));
    for (const p of req.list ?? []) res.list[p] = await this.guard(p, () => listChildren(this.host(p)));
    for (const p of req.read ?? []) res.read[p] = await this.guard(p, () => readText(this.host(p)));
    if (req.access) {
      res.access = {};
      // Root may write everywhere (what still stops it shows at apply time and is rolled back): not asked.
      for (const p of process.getuid?.() === 0 ? [] : req.access) {
        const ok = await this.guard(p, () => writableDir(this.host(p)));
        if (ok !== null) res.access[p] = ok;
      }
    }
    return res;
  }

  async openclawVersion(): Promise<string | null> {
    return (await this.openclawBinary())?.version ?? null;
  }

  async openclawBinary(): Promise<OpenclawBinary | null> {
    if (this.root) return null; // a sandbox dir has no programs of its own
    const r = await this.exec(binaryScript());
    return parseBinaryOutput(r.code, r.stdout);
  }

  async close(): Promise<void> {}

  async mkdir(path: string, mode: number): Promise<void> {
    await this.guard(path, async () => {
      await mkdir(this.host(path));
      await chmod(this.host(path), mode);
    });
  }

  async symlink(target: string, path: string): Promise<void> {
    const t = target.startsWith('/') ? this.root + target : target;
    await this.guard(path, () => symlink(t, this.host(path)));
  }

  async writeFileAtomic(path: string, data: string | Buffer, mode: number): Promise<void> {
    const tmp = `${dirname(path)}/.${basename(path)}.clawfleet-tmp-${randomBytes(4).toString('hex')}`;
    await this.guard(path, async () => {
      await writeFile(this.host(tmp), data, { mode, flag: 'wx' });
      await chmod(this.host(tmp), mode);
      await rename(this.host(tmp), this.host(path));
    });
  }

  async writeFileExclusive(path: string, data: string | Buffer, mode: number): Promise<void> {
    await this.guard(path, async () => {
      await writeFile(this.host(path), data, { mode, flag: 'wx' });
      await chmod(this.host(path), mode);
    });
  }

  async writeHeartbeat(path: string, data: string): Promise<void> {
    await this.writeFileAtomic(path, data, 0o600);
  }

  async appendFile(path: string, data: string): Promise<void> {
    await this.guard(path, async () => {
      const fh = await open(this.host(path), 'a', 0o600);
      try {
        await fh.appendFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  async readFile(path: string): Promise<Buffer> {
    return this.guard(path, () => readFile(this.host(path)));
  }

  async rename(from: string, to: string): Promise<void> {
    await this.guard(to, async () => {
      const exists = await lstat(this.host(to)).then(() => true, () => false);
      if (exists) throw new ClawError('EEXIST', 'already exists', { node: this.node, path: to });
      await rename(this.host(from), this.host(to));
    });
  }

  async replace(from: string, to: string): Promise<void> {
    await this.guard(to, () => rename(this.host(from), this.host(to)));
  }

  async copyTree(from: string, to: string): Promise<void> {
    await this.guard(to, async () => {
      const exists = await lstat(this.host(to)).then(() => true, () => false);
      if (exists) throw new ClawError('EEXIST', 'already exists', { node: this.node, path: to });
      await cp(this.host(from), this.host(to), {
        recursive: true,
        preserveTimestamps: true,
        verbatimSymlinks: true,
        errorOnExist: true,
        force: false,
      });
      await this.copyModes(from, to);
    });
  }

  /** fs.cp keeps file modes but creates dirs with the umask; make dir modes exact like `cp -a`. */
  private async copyModes(from: string, to: string): Promise<void> {
    const m = await manifestOf(this.host(from), this.unmap);
    const top = await lstat(this.host(from));
    if (top.isDirectory()) await chmod(this.host(to), top.mode & 0o7777);
    for (const e of m?.entries ?? []) {
      if (e.kind === 'dir') await chmod(this.host(`${to}/${e.rel}`), e.mode);
    }
  }

  async setOwner(path: string, o: Ownership): Promise<void> {
    await this.guard(path, async () => {
      // Opened with O_NOFOLLOW and changed through the descriptor: a link swapped in at any moment is never followed.
      let fh;
      try {
        fh = await open(this.host(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new ClawError('ELOOP', 'setOwner: is a symlink: refusing to follow it', { node: this.node, path });
        throw e;
      }
      try {
        const st = await fh.stat();
        if (!st.isDirectory() && !st.isFile()) throw new ClawError('EINVAL', 'setOwner: not a dir or a regular file', { node: this.node, path });
        await fh.chown(o.uid, o.gid); // first: a chown may clear set-id bits
        await fh.chmod(o.mode & 0o7777);
      } finally {
        await fh.close();
      }
    });
  }

  async setLinkOwner(path: string, o: { uid: number; gid: number }): Promise<void> {
    await this.guard(path, async () => {
      if (!(await lstat(this.host(path))).isSymbolicLink()) throw new ClawError('EINVAL', 'setLinkOwner: not a symlink', { node: this.node, path });
      await lchown(this.host(path), o.uid, o.gid); // never follows: a link swapped for something else is what changes
    });
  }

  async rmdir(path: string): Promise<void> {
    await this.guard(path, () => rmdir(this.host(path)));
  }

  async unlink(path: string): Promise<void> {
    await this.guard(path, () => unlink(this.host(path)));
  }

  async exec(command: string): Promise<ExecResult> {
    return new Promise((resolve) => {
      execFile('/bin/sh', ['-c', command], { cwd: this.root || undefined, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }
}
