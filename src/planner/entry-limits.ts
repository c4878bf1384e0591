import type { Manifest } from '../domain/facts.js';
import { byteLength } from '../shared/name-bytes.js';

/**
 * Plan-time refusals for the entries of a dir that becomes a link, where the move could not be done whole:
 * a path longer than the node can name, and special files that cannot be moved. Pure.
 */

/** Linux PATH_MAX (bytes, the terminating NUL included): the longest path a system call takes. */
export const NODE_PATH_MAX = 4096;
/** Length of the temp dir a copy is made in (`.clawfleet-<run-id>-copy`, executor/step-link.ts). */
const COPY_DIR_LEN = '.clawfleet-20261201T000000Z-abcd-copy'.length;

export interface EntryProblem {
  path: string;
  message: string;
}

export function entryProblem(slotPath: string, target: string, src: Manifest, pathMax = NODE_PATH_MAX - 1): EntryProblem | null {
  for (const e of src.entries) {
    if (e.kind === 'other' && e.special !== 'fifo') {
      const what = e.special === 'socket' ? 'a socket (the endpoint of a running process)' : e.special ? `a ${e.special.replace('-', ' ')}` : 'a special file';
      return { path: `${slotPath}/${e.rel}`, message: `is ${what}: it cannot be moved into ${target}; remove it or move it by hand first` };
    }
  }
  for (const e of src.entries) {
    const copyPath = byteLength(target) + 1 + COPY_DIR_LEN + 1 + byteLength(e.rel);
    const srcPath = byteLength(slotPath) + 1 + byteLength(e.rel);
    const longest = Math.max(copyPath, srcPath);
    if (longest > pathMax) {
      return {
        path: `${slotPath}/${e.rel}`,
        message: `path too long for the node: copying it into ${target} needs a path of ${longest} bytes, the node's limit is ${pathMax}; shorten or move this tree first`,
      };
    }
  }
  return null;
}
