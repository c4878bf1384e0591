import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, chmod, cp, lstat, mkdir, open, rename, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { constants, realpathSync } from 'node:fs';
import { encodeName, hasEscapedBytes } from '../facts/name-bytes.js';
import { copyEntriesScript, dropCopyScript, moveEntriesScript, scriptError } from './copy-script.js';
import { dirname, basename } from 'node:path';
import { ClawError } from '../domain/errors.js';
import type { OpenclawBinary, ProbeRequest, ProbeResult } from '../domain/facts.js';
import { listChildren, lstatFact, manifestOf, readText } from './local-probe.js';
import { binaryScript, parseBinaryOutput } from './openclaw-cli.js';
import type { OwnedStat, OwnedStats } from './path-trust.js';
import type { ExecResult, NodeWriter } from './types.js';

export interface LocalNodeOptions {
  node: string;
  /** A host dir standing in for the node's `/`; undefined means this machine's real `/`. */
  root?: string;
  /** The node's home as a node path (default: /home/openclaw under a root, the real home otherwise). */
  home?: string;
}

/**
 * A node that is a directory on this machine. Node paths are mapped under `root`; symlink targets are
 * written and read verbatim (`/openclaw-data/…`, as the node itself would hold them): a demo tree is a
 * faithful image of a node, and a rollback restores a link's bytes exactly. clawfleet never follows a link
 * slot, so targets need not resolve on the host.
 */
export class LocalNode implements NodeWriter {
  readonly node: string;
  private readonly root: string;
  private readonly homeDir: string;

  readonly pathMax: number;

  constructor(opts: LocalNodeOptions) {
    this.node = opts.node;
    this.root = opts.root && opts.root !== '/' ? opts.root.replace(/\/+$/, '') : '';
    // Every node path is named on this host under the root dir: the root's length comes off the limit.
    this.pathMax = 4095 - Buffer.byteLength(this.root);
    this.homeDir = opts.home ?? (this.root ? '/home/openclaw' : homedir());
  }

  /** Host path of a node path (as bytes where a name is not valid UTF-8: facts/name-bytes.ts). */
  host(p: string): string {
    if (!p.startsWith('/')) throw new ClawError('EPATH', 'not an absolute path', { node: this.node, path: p });
    // fs accepts a Buffer wherever it takes a path; typed as string to keep the call sites plain.
    return (hasEscapedBytes(p) ? Buffer.concat([Buffer.from(this.root), encodeName(p)]) : this.root + p) as string;
  }

  /** The root as `pwd -P` prints it (the entry scripts compare against it). */
  private realRoot: string | undefined;
  private physical(p: string): string {
    this.realRoot ??= this.root ? realpathSync(this.root) : '';
    return this.realRoot + p;
  }

  private runScript(script: string): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve) => {
      execFile('/bin/sh', ['-c', script], { maxBuffer: 64 << 20 }, (err, _stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stderr: String(stderr).split(this.realRoot ?? '\0').join('').split(this.root || '\0').join('') });
      });
    });
  }

  private async entryScript(script: string, op: string, path: string): Promise<void> {
    const r = await this.runScript(script);
    const e = scriptError(r.code, r.stderr, op);
    if (e) throw new ClawError(e.code, e.message, { node: this.node, path });
  }

  /** Node path → the text the script uses (host path; relative paths stay relative to the held dir). */
  private scriptPath(p: string): string {
    return p.startsWith('/') ? this.root + p : p;
  }

  copyEntries(c: { src: string; names: string[]; dest: string; tmp: string }): Promise<void> {
    const script = copyEntriesScript({ src: this.scriptPath(c.src), names: c.names, dest: this.scriptPath(c.dest), physicalDest: this.physical(c.dest), tmp: c.tmp });
    return this.entryScript(script, `copy from ${c.src}`, c.dest);
  }

  moveEntries(m: { base: string; moves: { from: string; to: string }[]; missingOk: boolean }): Promise<void> {
    const moves = m.moves.map((x) => ({ from: this.scriptPath(x.from), to: this.scriptPath(x.to) }));
    return this.entryScript(moveEntriesScript({ base: this.scriptPath(m.base), physicalBase: this.physical(m.base), moves, missingOk: m.missingOk }), 'move', m.base);
  }

  dropCopy(base: string, tmp: string): Promise<void> {
    return this.entryScript(dropCopyScript(this.scriptPath(base), this.physical(base), tmp), 'remove temporary copy', `${base}/${tmp}`);
  }

  /** Link targets are the node's own text: never mapped. */
  private unmap = (t: string): string => t;

  private fail(e: unknown, path: string): never {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    if (code === 'ENAMETOOLONG') {
      const long = String((e as NodeJS.ErrnoException).path ?? '');
      const at = this.root && long.startsWith(this.root + '/') ? long.slice(this.root.length) : long;
      throw new ClawError(code, `path too long for the node (a path below it is ${Buffer.byteLength(long)} bytes on this host, the limit is 4095): ${at}`, { node: this.node, path });
    }
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
    await this.guard(path, () => symlink(target, this.host(path)));
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

  async appendFile(path: string, data: string): Promise<void> {
    await this.guard(path, async () => {
      // O_NOFOLLOW: a journal that is a symlink is never appended through.
      const fh = await open(this.host(path), constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
      try {
        await fh.appendFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
    });
  }

  async readFile(path: string): Promise<Buffer> {
    return this.guard(path, async () => {
      const fh = await open(this.host(path), constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return await fh.readFile();
      } finally {
        await fh.close();
      }
    });
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

  async lstatOwned(paths: string[]): Promise<OwnedStats> {
    const stats: Record<string, OwnedStat> = {};
    for (const p of paths) {
      stats[p] = await this.guard(p, async () => {
        const st = await lstat(this.host(p)).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
          throw e;
        });
        if (!st) return { kind: 'missing', mode: 0, uid: -1 };
        const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
        return { kind, mode: st.mode & 0o7777, uid: st.uid };
      });
    }
    return { uid: process.getuid?.() ?? 0, stats };
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
