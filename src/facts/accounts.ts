import type { Accounts } from '../domain/facts.js';
import { parseGroup, parsePasswd } from './gateway-user.js';

/** Where a new system user's id range is set; read (in the facts' first probe) only for a node the inventory bootstraps. */
export const LOGIN_DEFS = '/etc/login.defs';

/** useradd's own defaults for system accounts when /etc/login.defs does not set them. */
export const SYS_ID_DEFAULTS = { min: 100, max: 999 } as const;

const KEYS = ['SYS_UID_MIN', 'SYS_UID_MAX', 'SYS_GID_MIN', 'SYS_GID_MAX'] as const;
type Key = (typeof KEYS)[number];

/** The SYS_UID/SYS_GID range of /etc/login.defs (node text: only plain decimal values are taken, others ignored). */
export function parseLoginDefs(text: string | null): Partial<Record<Key, number>> {
  const out: Partial<Record<Key, number>> = {};
  for (const line of (text ?? '').split('\n')) {
    const m = /^\s*([A-Z_]+)\s+(\d{1,10})\s*$/.exec(line);
    if (m && (KEYS as readonly string[]).includes(m[1]!)) out[m[1] as Key] = Number(m[2]);
  }
  return out;
}

/**
 * What choosing the id of a new system user needs: the names and ids already taken in /etc/passwd and
 * /etc/group, and the system id range (login.defs, else useradd's 100–999). Malformed lines are skipped.
 */
export function accountsFact(passwdText: string | null, groupText: string | null, loginDefsText: string | null): Accounts {
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  const d = parseLoginDefs(loginDefsText);
  const range = (min: number | undefined, max: number | undefined) => {
    const lo = min ?? SYS_ID_DEFAULTS.min;
    const hi = max ?? SYS_ID_DEFAULTS.max;
    return lo >= 1 && lo <= hi ? { min: lo, max: hi } : { ...SYS_ID_DEFAULTS };
  };
  return {
    users: [...new Set(passwd.map((p) => p.name))],
    groups: [...new Set(groups.map((g) => g.name))],
    uids: [...new Set(passwd.map((p) => p.uid))],
    gids: [...new Set(groups.map((g) => g.gid))],
    sysUid: range(d.SYS_UID_MIN, d.SYS_UID_MAX),
    sysGid: range(d.SYS_GID_MIN, d.SYS_GID_MAX),
  };
}
