import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';

/**
 * Every path under `root` with its kind, mode, content hash or link target — what "byte-identical" means
 * here. clawfleet's own state dirs (`.clawfleet`) are left out: a run leaves its journal behind by design.
 */
export async function snapshotTree(root: string, opts: { exclude?: RegExp } = {}): Promise<Map<string, string>> {
  const exclude = opts.exclude ?? /(^|\/)\.clawfleet(\/|$)/;
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string) => {
    for (const name of (await readdir(dir)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (exclude.test(r)) continue;
      const p = `${dir}/${name}`;
      const st = await lstat(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isSymbolicLink()) out.set(r, `link ${await readlink(p)}`);
      else if (st.isDirectory()) {
        out.set(r, `dir ${mode}`);
        await walk(p, r);
      } else out.set(r, `file ${mode} ${createHash('sha256').update(await readFile(p)).digest('hex')}`);
    }
  };
  await walk(root, '');
  return out;
}

export function diffSnapshots(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: ${v} -> ${b.get(k) ?? 'missing'}`);
  for (const [k, v] of b) if (!a.has(k)) out.push(`${k}: missing -> ${v}`);
  return out;
}
