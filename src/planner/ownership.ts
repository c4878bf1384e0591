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
    if (o) return { ...o, mode: narrowToHome(input, o.mode) };
  }
  return null;
}


export const showOwnership = (o: Ownership): string => `${o.uid}:${o.gid} ${o.mode.toString(8).padStart(4, '0')}`;

/**
 * `mode` with the group and other bits the OpenClaw home does not give taken away (a setgid dir keeps its
 * group's bits: shared with its group on purpose). What every data dir may be: nobody reaches more of the
 * gateway's data through the data root than through its home (behind a 0700 home a 0755 dir was private, so
 * its target is 0700).
 */
export function narrowToHome(input: PlanInput, mode: number): number {
  return mode & 0o2000 ? capByHome(input, mode) | (mode & 0o070) : capByHome(input, mode);
}

/** One path whose owner or mode is not what the gateway needs: what it has, what it should have, and why. */
export interface OwnershipFinding {
  path: string;
  kind: 'dir' | 'file';
  had: Ownership;
  to: Ownership;
  /** `owner`: the gateway cannot use it; `mode`: more open to others than the OpenClaw home. */
  problems: { what: 'owner' | 'mode'; detail: string }[];
  /** The baseline items the path serves (drift-matrix columns). */
  items: string[];
  sha256?: string;
}

const NEED_TEXT: Record<Need, string> = { r: 'read', rw: 'read and write', rwx: 'write', x: 'pass through' };

/**
 * Ownership and mode drift, judged from the facts alone (the check's and the planner's one rule): the data root
 * must let the gateway through; every other existing data dir must be the gateway's to write and no more open
 * than the OpenClaw home; the config must be the gateway's to read and write. Empty without a planned gateway
 * (a root gateway, or none found). `carried` gives, for a data dir, the ownership it must take instead (a dir
 * about to become a link into it).
 */
export function ownershipFindings(input: PlanInput, carried: (path: string) => Ownership | null = () => null): OwnershipFinding[] {
  const g = plannedGateway(input);
  if (!g) return [];
  const out: OwnershipFinding[] = [];
  const { dataRoot, links } = input.layout;
  const itemsUnder = (p: string) => [...new Set(links.filter((l) => l.target === p || l.target.startsWith(p + '/')).map((l) => l.item))];
  const who = `the gateway (${g.name})`;

  const root = ownershipOf(input.facts.paths[dataRoot]);
  if (root && !gatewayMay(g, root, 'x')) {
    // The login keeps the data root (clawfleet's own state is in it): the gateway's group may pass through.
    const to = { uid: root.uid, gid: g.gid, mode: root.mode | 0o010 };
    out.push({ path: dataRoot, kind: 'dir', had: root, to, items: itemsUnder(dataRoot), problems: [{ what: 'owner', detail: `${who} cannot pass through ${dataRoot} (${showOwnership(root)})` }] });
  }
  for (const path of input.layout.dataDirs) {
    if (path === dataRoot) continue;
    const had = ownershipOf(input.facts.paths[path]);
    if (!had) continue;
    const problems: OwnershipFinding['problems'] = [];
    const c = carried(path);
    const narrowed = { ...had, mode: narrowToHome(input, had.mode) };
    if (!gatewayMay(g, had, 'rwx')) problems.push({ what: 'owner', detail: `${who} cannot ${NEED_TEXT.rwx} ${path} (${showOwnership(had)})` });
    if (narrowed.mode !== had.mode) problems.push({ what: 'mode', detail: `${path} is more open (${had.mode.toString(8).padStart(4, '0')}) than the OpenClaw home lets it be` });
    const to = usableBy(g, c ?? narrowed, 'rwx');
    if (sameOwnership(had, to)) continue;
    out.push({ path, kind: 'dir', had, to, problems, items: itemsUnder(path) });
  }
  const cfg = input.facts.config;
  const had = ownershipOf(cfg.fact);
  if (had && cfg.fact.kind === 'file') {
    const to = usableBy(g, had, 'rw');
    const items = [...new Set(input.baseline.config.sections.map((s) => s.item ?? s.path))];
    if (!sameOwnership(had, to)) {
      out.push({ path: cfg.path, kind: 'file', had, to, items, sha256: cfg.fact.sha256, problems: [{ what: 'owner', detail: `${who} cannot ${NEED_TEXT.rw} ${cfg.path} (${showOwnership(had)})` }] });
    }
  }
  return out;
}
