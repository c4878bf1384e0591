import type { Accounts } from '../domain/facts.js';

/** A user name useradd takes everywhere (and nothing a shell or a path could misread). */
export const NEW_USER_RE = /^[a-z_][a-z0-9_-]{0,31}$/;

/**
 * The id a new system user and its group get, as `useradd --system --user-group` picks it: the highest id in
 * the system range (both SYS_UID and SYS_GID ranges) that is free as a uid AND as a gid; null when none is.
 */
export function freeSystemId(a: Accounts): number | null {
  const lo = Math.max(a.sysUid.min, a.sysGid.min);
  const hi = Math.min(a.sysUid.max, a.sysGid.max);
  const uids = new Set(a.uids);
  const gids = new Set(a.gids);
  for (let id = hi; id >= lo; id--) if (!uids.has(id) && !gids.has(id)) return id;
  return null;
}

/**
 * Why `user` (with its own group `group`) cannot be created with a fresh id on this node, or its id. The name
 * must be a plain new name, neither a user nor a group yet (a group of that name alone is someone else's).
 */
export function newUserId(a: Accounts, user: string, group: string): { id: number } | { problem: string } {
  if (!NEW_USER_RE.test(user)) return { problem: `"${user}" is not a user name useradd takes (lower case, digits, _ and -, at most 32)` };
  if (group !== user) return { problem: `owner "${user}:${group}": a new user gets its own group "${user}"; name that group, or create the user yourself` };
  if (a.users.includes(user)) return { problem: `"${user}" is in the node's /etc/passwd but could not be resolved` };
  if (a.groups.includes(user)) return { problem: `a group "${user}" exists without the user: creating the user would not give it a group of its own` };
  const id = freeSystemId(a);
  if (id === null) return { problem: `no id free as both uid and gid in the system range ${Math.max(a.sysUid.min, a.sysGid.min)}–${Math.min(a.sysUid.max, a.sysGid.max)}` };
  return { id };
}
