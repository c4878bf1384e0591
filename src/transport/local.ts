import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, lchown, lstat, mkdir, open, readdir, readFile, rename, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, basename } from 'node:path';
import { ClawError, type ErrnoCode } from '../domain/errors.js';
import type { BootstrapFacts, OpenclawBinary, ProbeRequest, ProbeResult } from '../domain/facts.js';
import { encodeName, hasEscapedBytes } from '../shared/name-bytes.js';
import { adoptEntriesScript, assignBytes, copyEntriesScript, dropCopyScript, heldAt, scriptError, type Held } from './copy-script.js';
import { listChildren, lstatFact, manifestOf, readText, writableDir } from './local-probe.js';
import { bareBootstrapFacts, bootstrapProbeScript, parseBootstrapProbe, type BootstrapQuery } from './bootstrap-probe.js';
import { binaryScript, parseBinaryOutput } from './openclaw-cli.js';
import type { OwnedStat, OwnedStats } from './path-trust.js';
import type { EntryCopy, ExecResult, NodeWriter, Ownership } from './types.js';

export interface LocalNodeOptions {
  node: string;
  /** A host dir standing in for the node's `/`; undefined means this machine's real `/`. */
  root?: string;
  /** The node's home as a node path (default: /home/openclaw under a root, the real home otherwise). */
  home?: string;
}

/**
 * A node that is a directory on this machine. Node paths are mapped under `root`; symlink targets are
 * written and read verbatim (`/openclaw-data/…`, as the node itself holds them): a demo tree is a faithful
 * image of a node, and a rollback restores a link's bytes exactly. clawfleet never follows a link slot, so a
 * target need not resolve on this host.
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

  /** Host path of a node path (as bytes where a name is not valid UTF-8: shared/name-bytes.ts). */
  host(p: string): string {
    if (!p.startsWith('/')) throw new ClawError('EPATH', 'not an absolute path', { node: this.node, path: p });
    // fs accepts a Buffer wherever it takes a path; typed as string to keep the call sites plain.
    return (hasEscapedBytes(p) ? Buffer.concat([Buffer.from(this.root), encodeName(p)]) : this.root + p) as string;
  }


  /** Runs one of copy-script.ts's scripts with /bin/sh on host paths; its failure reason is reported whole. */
  private async script(script: string, op: string, path: string): Promise<void> {
    const r = await this.exec(script);
    const strip = (t: string): string => (this.root ? t.split(this.root).join('') : t);
    const e = scriptError(r.code, strip(r.stderr), op);
    if (e) throw new ClawError(e.code, e.message, { node: this.node, path });
  }

  /** `dest` held below `base`, as host paths. */
  private held(c: Omit<EntryCopy, 'src' | 'tmp'>): Held {
    const h = heldAt(c.base, c.dest);
    return { base: this.root + h.base, rel: h.rel };
  }

  async copyEntries(c: EntryCopy): Promise<void> {
    await this.script(copyEntriesScript({ src: this.root + c.src, dest: this.held(c), tmp: c.tmp }, false), `copy from ${c.src}`, `${c.dest}/${c.tmp}`);
  }

  async adoptEntries(c: EntryCopy & { drop: string[] }): Promise<void> {
    await this.script(adoptEntriesScript(this.held(c), c.tmp, c.drop), `move the copy in from ${c.tmp}`, c.dest);
  }

  async dropCopy(c: Omit<EntryCopy, 'src'>): Promise<void> {
    // Nothing to remove (the usual case, an undo): no process started.
    if ((await lstat(this.host(`${c.dest}/${c.tmp}`)).catch(() => null))?.isDirectory() !== true) return;
    await this.script(dropCopyScript(this.held(c), c.tmp), 'remove the temporary copy', `${c.dest}/${c.tmp}`);
  }

  /** Link targets are the node's own text, written and read verbatim: never mapped. */
  private unmap = (t: string): string => t;

  private fail(e: unknown, path: string): never {
    const code = ((e as NodeJS.ErrnoException).code ?? 'EIO') as ErrnoCode;
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
    if (req.quick) {
      res.quick = {};
      for (const p of req.quick) res.quick[p] = await this.guard(p, () => manifestOf(this.host(p), this.unmap, true));
    }
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

  async bootstrapFacts(q: BootstrapQuery): Promise<BootstrapFacts> {
    if (!this.root) return parseBootstrapProbe((await this.exec(bootstrapProbeScript(q))).stdout);
    // a sandbox dir has no programs: only what is installed under the prefix is looked at
    const names = await readdir(this.host(q.prefix)).catch(() => [] as string[]);
    const have = await Promise.all(names.map(async (n) => ((await lstat(this.host(`${q.prefix}/${n}/node_modules/openclaw/package.json`)).catch(() => null))?.isFile() ? n : null)));
    return bareBootstrapFacts(have.filter((n): n is string => n !== null && /^\d{4}\.\d+\.\d+$/.test(n)).sort());
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

  async writeHeartbeat(path: string, data: string): Promise<void> {
    await this.writeFileAtomic(path, data, 0o600);
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

  /** `cp -a` (as on a node over SSH): names as bytes, hard links, sparse files and FIFOs kept. */
  async copyTree(from: string, to: string): Promise<void> {
    const script = [
      assignBytes('f', this.root + from),
      assignBytes('t', this.root + to),
      'if [ -e "$t" ] || [ -L "$t" ]; then echo "$t already exists" >&2; exit 17; fi',
      'if [ ! -e "$f" ] && [ ! -L "$f" ]; then echo "source $f does not exist" >&2; exit 2; fi',
      'exec cp -a -- "$f" "$t" </dev/null',
    ].join('\n');
    await this.script(script, `copy from ${from}`, to);
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

  async execWithFile(command: string, localFile: string): Promise<ExecResult> {
    return new Promise((resolve) => {
      const child = execFile('/bin/sh', ['-c', command], { cwd: this.root || undefined, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
      const src = createReadStream(localFile);
      src.on('error', () => child.stdin?.end());
      child.stdin?.on('error', () => undefined);
      if (child.stdin) src.pipe(child.stdin);
    });
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
