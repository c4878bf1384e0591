import type { CredentialEvent, CredentialStatus } from '../domain/check.js';
import { shortFp } from './fingerprint.js';
import { SHARED_STORE, type CredentialRecord, type SourceResult } from './source.js';

/** What the watch remembers of one node's credentials: fingerprints only. */
export interface NodeCredentials {
  profiles: Record<string, { agent: string; profile: string; fp: string; firstSeen: string; provider?: string }>;
  widened: string[];
}

export interface Scan extends SourceResult {
  sources: string[];
}

const keyOf = (r: { agent: string; profile: string }) => `${r.agent}/${r.profile}`;
const MODE_WIDE = 0o077;

/** The agents (ids, the shared store aside) this scan found at least one profile for. */
function agentsWithProfiles(scan: Scan): string[] {
  return [...new Set(scan.records.map((r) => r.agent).filter((a) => a !== SHARED_STORE))];
}

export function credentialStatus(scan: Scan): CredentialStatus {
  return {
    profiles: scan.records.length,
    agents: agentsWithProfiles(scan).length,
    sources: scan.sources,
    widened: scan.files.filter((f) => (f.mode & MODE_WIDE) !== 0).map((f) => f.path),
    notes: scan.notes,
  };
}

/** Agents (or SHARED_STORE) whose store this scan could not read: named by a source, or by a note on their path. */
export function unreadAgents(scan: Scan): string[] {
  return [...new Set([...(scan.unread ?? []), ...scan.notes.map((n) => /\/agents\/([^/]+)\/agent\//.exec(n)?.[1]).filter((a): a is string => !!a)])];
}

/**
 * Which agents this scan found credentials for, which it could not read (ids only), and whether the store every
 * agent reads through has any: `agents/main`'s, or the shared store (state/openclaw.sqlite).
 */
export function credentialPresence(scan: Scan): { agents: string[]; unread: string[]; readThrough: boolean } {
  return { agents: agentsWithProfiles(scan), unread: unreadAgents(scan), readThrough: scan.records.some((r) => r.agent === SHARED_STORE || r.agent === 'main') };
}

/** "agent coder", or "the shared store" for state/openclaw.sqlite's profiles. */
function who(agent: string): string {
  return agent === SHARED_STORE ? 'shared store (state/openclaw.sqlite)' : `agent ${agent}`;
}

function names(agents: string[]): string {
  return agents.length <= 20 ? agents.join(', ') : `${agents.slice(0, 20).join(', ')} and ${agents.length - 20} more`;
}

/**
 * Credential events of one node between the last remembered state and this scan (pure). The first scan of a
 * node only records (an existing key is not news) but reports credential files others can read. Keys that
 * changed to one same new fingerprint in several agents are one `shared-key` event: the incident's signature.
 * `seen` gives when a fingerprint was first seen anywhere in the fleet.
 */
export function diffCredentials(node: string, prev: NodeCredentials | undefined, scan: Scan, now: string, seen: Map<string, string>): { events: CredentialEvent[]; next: NodeCredentials } {
  const first = (fp: string) => seen.get(fp) ?? now;
  const next: NodeCredentials = { profiles: {}, widened: scan.files.filter((f) => (f.mode & MODE_WIDE) !== 0).map((f) => f.path).sort() };
  for (const r of scan.records) {
    const old = prev?.profiles[keyOf(r)];
    const entry: NodeCredentials['profiles'][string] = { agent: r.agent, profile: r.profile, fp: r.fp, firstSeen: old && old.fp === r.fp ? old.firstSeen : first(r.fp) };
    if (r.provider) entry.provider = r.provider;
    next.profiles[keyOf(r)] = entry;
  }
  const events: CredentialEvent[] = [];
  for (const f of scan.files) {
    if ((f.mode & MODE_WIDE) !== 0 && !prev?.widened.includes(f.path)) {
      const mode = (f.mode & 0o777).toString(8).padStart(4, '0');
      events.push({ kind: 'mode-widened', node, agents: [f.agent], file: f.path, mode, firstSeen: now, message: `${f.path} is mode ${mode}: readable by group or others` });
    }
  }
  if (!prev) return { events, next };
  // a file that could not be parsed this time keeps its remembered profiles: unread is not removed
  const unread = new Set(unreadAgents(scan));
  for (const [k, v] of Object.entries(prev.profiles)) if (!next.profiles[k] && unread.has(v.agent)) next.profiles[k] = v;

  const changed: { r: CredentialRecord; kind: 'added' | 'replaced' }[] = [];
  for (const r of scan.records) {
    const old = prev.profiles[keyOf(r)];
    if (!old) changed.push({ r, kind: 'added' });
    else if (old.fp !== r.fp) changed.push({ r, kind: 'replaced' });
  }
  const byFp = new Map<string, typeof changed>();
  for (const c of changed) byFp.set(c.r.fp, [...(byFp.get(c.r.fp) ?? []), c]);
  for (const [fp, group] of byFp) {
    const agents = [...new Set(group.map((g) => g.r.agent))].sort();
    const holders = [...new Set(scan.records.filter((r) => r.fp === fp).map((r) => r.agent))];
    const profiles = [...new Set(group.map((g) => g.r.profile))].sort();
    if (agents.length >= 2) {
      events.push({
        kind: 'shared-key',
        node,
        agents,
        profile: profiles.join(', '),
        fingerprint: shortFp(fp),
        firstSeen: first(fp),
        message: `one new key (fingerprint ${shortFp(fp)}) replaced or added profile ${profiles.join(', ')} in ${agents.length} agents (now in ${holders.length}): ${names(agents)}`,
      });
      continue;
    }
    for (const g of group) {
      events.push({
        kind: g.kind,
        node,
        agents: [g.r.agent],
        profile: g.r.profile,
        fingerprint: shortFp(fp),
        file: g.r.file,
        firstSeen: first(fp),
        message: `${who(g.r.agent)}: profile ${g.r.profile} ${g.kind === 'added' ? 'added' : 'replaced by another key'} (fingerprint ${shortFp(fp)})`,
      });
    }
  }
  for (const [k, v] of Object.entries(prev.profiles)) {
    if (next.profiles[k]) continue;
    events.push({ kind: 'removed', node, agents: [v.agent], profile: v.profile, firstSeen: v.firstSeen, message: `${who(v.agent)}: profile ${v.profile} removed` });
  }
  return { events, next };
}
