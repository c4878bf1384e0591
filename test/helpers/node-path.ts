import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';

/**
 * The host path of `nodePath` on a local demo node rooted at `root`, following symlinks as the node itself
 * would (links hold the node's own paths, `/openclaw-data/…`, which do not resolve on the host): what a
 * gateway on the node writing "through the link" reaches.
 */
export function onNode(root: string, nodePath: string): string {
  let cur = '/';
  const parts = nodePath.split('/').filter(Boolean);
  for (let i = 0, hops = 0; i < parts.length; i++) {
    const next = posix.join(cur, parts[i]!);
    const st = lstatSync(root + next, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && hops++ < 40) {
      const t = readlinkSync(root + next);
      parts.splice(0, i + 1, ...posix.resolve(cur, t).split('/').filter(Boolean));
      cur = '/';
      i = -1;
      continue;
    }
    cur = next;
  }
  return root + cur;
}
