import type { GatewayUser, Ownership, PathFact } from '../domain/facts.js';
import type { PlanInput } from './context.js';

/** Permission a user needs on a path: read, read+write, or (a dir) write and search. */
export type Need = 'r' | 'rw' | 'rwx' | 'x';

const BITS: Record<Need, number> = { r: 4, rw: 6, rwx: 7, x: 1 };

/** Whether the gateway's user may use a path with these owner, group and mode bits (root may use anything). */
export function gatewayMay(g: GatewayUser, o: Ownership, need: Need): boolean {
  if (g.uid === 0) return true;
  const want = BITS[need];
  const perm = o.uid === g.uid ? (o.mode >> 6) & 7 : g.groups.includes(o.gid) ? (o.mode >> 3) & 7 : o.mode & 7;
  return (perm & want) === want;
}

/** The owner, group and mode of a dir or file as the facts read them; null for anything else or unrecorded. */
export function ownershipOf(f: PathFact | undefined): Ownership | null {
  if (!f || (f.kind !== 'dir' && f.kind !== 'file') || f.uid === undefined || f.gid === undefined) return null;
  return { uid: f.uid, gid: f.gid, mode: f.mode };
}

export const sameOwnership = (a: Ownership | null, b: Ownership): boolean => a !== null && a.uid === b.uid && a.gid === b.gid && a.mode === b.mode;

/** The gateway whose ownership the plan keeps: none when unknown or root (then nothing's owner is planned). */
export function plannedGateway(input: PlanInput): GatewayUser | null {
  const g = input.facts.gateway;
  return g && g.uid !== 0 ? g : null;
}

/** `mode` no more open to group and others than the OpenClaw home is (set-id and sticky bits kept). */
export function capByHome(input: PlanInput, mode: number): number {
  const home = input.facts.paths[input.layout.home];
  const open = home?.kind === 'dir' ? home.mode & 0o077 : 0;
  return mode & (0o7700 | open);
}

/** Makes `o` usable by the gateway (`need`): when it may not, it becomes the owner, with the owner bits it needs. */
export function usableBy(g: GatewayUser, o: Ownership, need: Need): Ownership {
  if (gatewayMay(g, o, need)) return o;
  // Its group stays when the gateway is in it (a shared media group); otherwise it becomes the gateway's.
  const gid = g.groups.includes(o.gid) ? o.gid : g.gid;
  return { uid: g.uid, gid, mode: o.mode | (BITS[need] << 6) };
}

/** The dir a link slot turns into a link whose target is `path`, as it is on the node (its ownership is carried). */
export function carriedTo(input: PlanInput, path: string): Ownership | null {
  for (const l of input.layout.links) {
    if (l.target !== path) continue;
    const o = ownershipOf(input.facts.paths[l.path]);
    if (o) return { ...o, mode: capCarried(input, o.mode) };
  }
  return null;
}

/**
 * A carried mode, no more open than the OpenClaw home let it be: behind a 0700 home a 0755 dir was private,
 * so its target is 0700. A setgid dir is a dir shared with its group on purpose: its group bits are kept.
 */
function capCarried(input: PlanInput, mode: number): number {
  const capped = capByHome(input, mode);
  return mode & 0o2000 ? capped | (mode & 0o070) : capped;
}

export const showOwnership = (o: Ownership): string => `${o.uid}:${o.gid} ${o.mode.toString(8).padStart(4, '0')}`;
