import type { PathFact } from '../domain/facts.js';
import { parentOf } from '../shared/node-path.js';
import type { NodeWriter } from '../transport/types.js';

export async function statOne(w: NodeWriter, path: string): Promise<PathFact> {
  return (await w.probe({ stat: [path] })).stat[path] ?? { kind: 'missing' };
}

/** mkdir -p for clawfleet's own state dirs (never for planned dirs: those are actions). */
export async function mkdirp(w: NodeWriter, path: string, mode = 0o700): Promise<void> {
  const parts = path.split('/').filter(Boolean);
  const all = parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'));
  const facts = (await w.probe({ stat: all })).stat;
  for (const p of all) {
    const f = facts[p] ?? { kind: 'missing' };
    if (f.kind !== 'missing') continue;
    try {
      await w.mkdir(p, mode);
    } catch (e) {
      // Another run made it meanwhile (two applies starting at once): fine, the lock decides between them.
      if ((await statOne(w, p)).kind !== 'dir') throw e;
    }
  }
}

/** Move `path` to `dest` (creating dest's parent), when `path` exists. Never deletes. */
export async function moveAside(w: NodeWriter, path: string, dest: string): Promise<boolean> {
  if ((await statOne(w, path)).kind === 'missing') return false;
  await mkdirp(w, parentOf(dest));
  let to = dest;
  for (let i = 1; (await statOne(w, to)).kind !== 'missing'; i++) to = `${dest}.${i}`;
  await w.rename(path, to);
  return true;
}
