import type { GatewayUser, PathFact } from '../domain/facts.js';

/** The account files the gateway's user and groups are read from (in the facts' first probe). */
export const PASSWD = '/etc/passwd';
export const GROUP = '/etc/group';
export const ACCOUNT_FILES = [PASSWD, GROUP] as const;

export interface Passwd {
  name: string;
  uid: number;
  gid: number;
}
export interface Group {
  name: string;
  gid: number;
  members: string[];
}

const ID_RE = /^\d{1,10}$/;

/** Lines of /etc/passwd as name, uid, gid (malformed lines are skipped: the file is the node's, not ours). */
export function parsePasswd(text: string | null): Passwd[] {
  return (text ?? '').split('\n').flatMap((l) => {
    const f = l.split(':');
    return f.length >= 4 && f[0] && ID_RE.test(f[2]!) && ID_RE.test(f[3]!) ? [{ name: f[0], uid: Number(f[2]), gid: Number(f[3]) }] : [];
  });
}

export function parseGroup(text: string | null): Group[] {
  return (text ?? '').split('\n').flatMap((l) => {
    const f = l.split(':');
    return f.length >= 4 && f[0] && ID_RE.test(f[2]!) ? [{ name: f[0], gid: Number(f[2]), members: f[3]!.split(',').filter(Boolean) }] : [];
  });
}

export type GatewayAnswer = { user: GatewayUser | null; problem?: string };

/**
 * The gateway's user: the inventory's `owner` ("user" or "user:group", names or numbers) looked up in the
 * node's account files, else the owner of the OpenClaw home. Null (with a problem when the inventory named
 * one) when it cannot be found: then nothing's owner is planned.
 */
export function resolveGateway(owner: string | undefined, home: PathFact | undefined, passwdText: string | null, groupText: string | null): GatewayAnswer {
  const passwd = parsePasswd(passwdText);
  const groups = parseGroup(groupText);
  let name: string;
  let uid: number;
  let gid: number;
  let source: GatewayUser['source'];
  if (owner !== undefined) {
    const [u, g] = owner.split(':') as [string, string | undefined];
    const pw = ID_RE.test(u) ? passwd.find((p) => p.uid === Number(u)) : passwd.find((p) => p.name === u);
    if (!pw && !ID_RE.test(u)) return { user: null, problem: `owner "${owner}": no user "${u}" in the node's /etc/passwd` };
    uid = pw ? pw.uid : Number(u);
    if (g === undefined) {
      if (!pw) return { user: null, problem: `owner "${owner}": uid ${u} has no entry in /etc/passwd: name its group too ("${u}:<group>")` };
      gid = pw.gid;
    } else {
      const gr = ID_RE.test(g) ? { gid: Number(g) } : groups.find((x) => x.name === g);
      if (!gr) return { user: null, problem: `owner "${owner}": no group "${g}" in the node's /etc/group` };
      gid = gr.gid;
    }
    name = owner;
    source = 'inventory';
  } else {
    if (home?.kind !== 'dir' || home.uid === undefined || home.gid === undefined) return { user: null };
    uid = home.uid;
    gid = home.gid;
    name = passwd.find((p) => p.uid === uid)?.name ?? String(uid);
    source = 'home';
  }
  const pwName = passwd.find((p) => p.uid === uid)?.name;
  const primary = passwd.find((p) => p.uid === uid)?.gid;
  const member = groups.filter((g) => pwName !== undefined && g.members.includes(pwName)).map((g) => g.gid);
  const all = [...new Set([gid, ...(primary === undefined ? [] : [primary]), ...member])];
  return { user: { name, uid, gid, groups: all, source } };
}
