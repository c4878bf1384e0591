import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';

export interface Entry {
  /** "file 600 <sha256>", "dir 755", "link <target>" */
  sig: string;
  size: number;
}

/**
 * Every path under `root` (kind, mode, sha256 or link target, size): byte-identical means equal maps.
 * `exclude` defaults to clawfleet's own state dirs (`.clawfleet`), which keep the journal by design;
 * /^$/ excludes nothing.
 */
export async function snapshot(root: string, exclude: RegExp = /(^|\/)\.clawfleet(\/|$)/): Promise<Map<string, Entry>> {
  const out = new Map<string, Entry>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (exclude.test(r)) continue;
      const p = `${dir}/${name}`;
      const st = await lstat(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(r, { sig: `link ${await readlink(p)}`, size: 0 });
      else if (st.isDirectory()) {
        out.set(r, { sig: `dir ${mode}`, size: 0 });
        await walk(p, r);
      } else if (st.isFile()) out.set(r, { sig: `file ${mode} ${createHash('sha256').update(await readFile(p)).digest('hex')}`, size: st.size });
      else out.set(r, { sig: `special ${mode}`, size: 0 }); // a FIFO must not be opened
    }
  };
  await walk(root, '');
  return out;
}

/** The signatures of `snapshot` alone: what "byte-identical" means for most tests. */
export async function snapshotTree(root: string, opts: { exclude?: RegExp } = {}): Promise<Map<string, string>> {
  return new Map([...(await snapshot(root, opts.exclude))].map(([k, v]) => [k, v.sig]));
}

export function diffSnapshots(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${v} -> ${b.get(k) ?? 'missing'}`);
  for (const [k, v] of b) if (!a.has(k)) out.push(`${k}: missing -> ${v}`);
  return out;
}
