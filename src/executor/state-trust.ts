import { ClawError } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import { checkOwnDir, checkPassThrough, checkPath, componentsOf, type OwnedStats } from '../transport/path-trust.js';
import type { NodeWriter } from '../transport/types.js';

/**
 * Where clawfleet keeps its own state on a node, and why it may trust it.
 *
 * Journals and config backups live in `<dataRoot>/.clawfleet`, the lock in `~/.clawfleet`; moved-aside dirs (the attic) must
 * be renamed on the filesystem of the OpenClaw home. Both are trusted only when nobody but the user clawfleet
 * acts as (or root) can change them: every component from `/` down is a real dir (no symlink), owned by root
 * or that user, not writable by group or others (sticky dirs such as /tmp may be passed through); the state
 * dir and the attic themselves are owned by that user. Anything else is refused before a byte is written.
 *
 * The attic is `<home>/.clawfleet` when the OpenClaw home itself is trusted (root's own, or the acting user's).
 * Where the gateway's user owns the home (a real deployment: it could rename or replace anything in it), the
 * attic moves up to `<A>/.clawfleet-attic`, A the deepest trusted ancestor of the home (usually `/home` or
 * `/`): a rename there stays on the home's filesystem unless a mount point lies between A and the home (a
 * volume mounted at the home): then the move fails with EXDEV and the action is rolled back, nothing lost.
 */

export const ATTIC_IN_HOME = '.clawfleet';
export const ATTIC_UP = '.clawfleet-attic';

/** Every attic root a run on this node may have used (journal validation accepts these and nothing else). */
export function atticCandidates(home: string): string[] {
  const up = componentsOf(home).slice(0, -1).map((a) => (a === '/' ? `/${ATTIC_UP}` : `${a}/${ATTIC_UP}`));
  return [`${home}/${ATTIC_IN_HOME}`, ...up];
}

function refuse(node: string, path: string, why: string): ClawError {
  return new ClawError('UNTRUSTED', `${why}; clawfleet keeps its lock, journal, backups and attic only where no other user can write`, { node, path });
}

function need(o: OwnedStats, path: string, node: string, own: boolean): void {
  const v = checkPath(path, o, own);
  if (!v.ok) throw refuse(node, v.path, v.why);
}

/** The deepest ancestor of `home` (home included) whose whole path is trusted and that no one else can write. */
function atticRoot(home: string, o: OwnedStats): string {
  let best = `/${ATTIC_UP}`;
  for (const c of componentsOf(home)) {
    const s = o.stats[c]!;
    if (s.kind === 'missing' || !checkPassThrough(c, s, o.uid).ok) break;
    if (s.mode & 0o022) continue; // sticky and open to all: passed through, never the attic's parent
    best = c === home ? `${home}/${ATTIC_IN_HOME}` : c === '/' ? `/${ATTIC_UP}` : `${c}/${ATTIC_UP}`;
  }
  return best;
}

/**
 * Checks clawfleet's own places on the node before anything is written: the state dir (journals, backups), the
 * lock root (`~/.clawfleet` of the user clawfleet acts as) and the attic, resolved as above. Returns the paths
 * to use, with the attic resolved. Deterministic: apply and a later rollback resolve the same attic as long as
 * the OpenClaw home keeps its owner.
 */
export async function trustedState(w: NodeWriter, paths: NodePaths, lockRoot: string): Promise<NodePaths> {
  const own = [paths.stateDir, lockRoot];
  const sub = [`${paths.stateDir}/runs`, `${lockRoot}/lock`];
  const homeComps = componentsOf(paths.home);
  const candidates = atticCandidates(paths.home);
  const o = await w.lstatOwned([...new Set([...own.flatMap(componentsOf), ...sub, ...homeComps, ...candidates.flatMap(componentsOf)])]);
  for (const p of own) need(o, p, w.node, true);
  for (const p of sub) {
    const s = o.stats[p]!;
    if (s.kind !== 'missing') {
      const v = checkOwnDir(p, s, o.uid);
      if (!v.ok) throw refuse(w.node, v.path, v.why);
    }
  }
  const chosen = atticRoot(paths.home, o);
  need(o, chosen, w.node, true);
  return { ...paths, attic: chosen };
}
