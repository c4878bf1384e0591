import { ClawError } from '../domain/errors.js';
import type { NodePaths } from '../domain/plan.js';
import { checkOwnDir, checkPassThrough, checkPath, componentsOf, type OwnedStats } from '../transport/path-trust.js';
import type { NodeWriter } from '../transport/types.js';

/**
 * Where clawfleet keeps its own state on a node, and why it may trust it.
 *
 * The lock, journals and config backups live in `<dataRoot>/.clawfleet`; moved-aside dirs (the attic) must
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
 * Checks the node's state dir (and the lock and runs dirs in it) and resolves the attic, before anything is
 * written. `attic`: the attic a past run recorded (rollback), checked instead of resolving a new one.
 * Returns the paths to use, with the attic resolved.
 */
export async function trustedState(w: NodeWriter, paths: NodePaths, attic?: string): Promise<NodePaths> {
  const state = [...componentsOf(paths.stateDir), `${paths.stateDir}/lock`, `${paths.stateDir}/runs`];
  const homeComps = componentsOf(paths.home);
  const candidates = attic ? [attic] : atticCandidates(paths.home);
  const o = await w.lstatOwned([...new Set([...state, ...homeComps, ...candidates.flatMap(componentsOf)])]);
  need(o, paths.stateDir, w.node, true);
  for (const sub of ['lock', 'runs']) {
    const p = `${paths.stateDir}/${sub}`;
    const s = o.stats[p]!;
    if (s.kind !== 'missing') {
      const v = checkOwnDir(p, s, o.uid);
      if (!v.ok) throw refuse(w.node, v.path, v.why);
    }
  }
  const chosen = attic ?? atticRoot(paths.home, o);
  need(o, chosen, w.node, true);
  return { ...paths, attic: chosen };
}

/** Checks one dir of clawfleet's own (a run dir, the lock) just before it is read as trusted. */
export async function trustedOwnDir(w: NodeWriter, path: string): Promise<void> {
  const o = await w.lstatOwned(componentsOf(path));
  need(o, path, w.node, true);
}
