import type { CredentialHolding, Manifest } from '../domain/facts.js';

/** Agent ids OpenClaw reserves for its own system agents (openclaw/openclaw#144125): never an orphan by default. */
export const RESERVED_AGENT_IDS: readonly string[] = ['openclaw', 'crestodian'];

/** The legacy shared credential store, relative to the agent dir of `main`. */
export const LEGACY_SHARED_STORE = 'agent/openclaw-agent.sqlite';

/** Why an agent dir must not be moved by default; empty when nothing speaks against it. */
export interface OwnerFindings {
  reserved: boolean;
  /** `agents/main` holding the legacy shared credential store. */
  legacySharedStore: boolean;
  holdings: CredentialHolding[];
}

export function ownerFindings(id: string, manifest: Manifest, holdings: CredentialHolding[] | undefined, fallbackProtected: string[]): OwnerFindings {
  const legacySharedStore = id === 'main' && manifest.entries.some((e) => e.rel === LEGACY_SHARED_STORE && e.kind === 'file');
  // Without the gatherer's reading (older facts), every protected file counts.
  const found = holdings ?? fallbackProtected.map((file): CredentialHolding => ({ file, kind: /^agent\/auth-profiles\.json(\.|$)/.test(file) ? 'auth-profiles-json' : 'protected-file', profiles: null }));
  return { reserved: RESERVED_AGENT_IDS.includes(id), legacySharedStore, holdings: found };
}

export function isCredentialOwner(f: OwnerFindings): boolean {
  return f.legacySharedStore || f.holdings.length > 0;
}

function holding(h: CredentialHolding): string {
  const what =
    h.profiles !== null
      ? `${h.profiles} auth profile${h.profiles === 1 ? '' : 's'}`
      : h.unreadable
        ? `could not be inspected: ${h.unreadable}`
        : h.kind === 'auth-profiles-json'
          ? "OpenClaw's credential file"
          : 'a protected credential file';
  return `${h.file} (${what})`;
}

/** One phrase naming what the dir holds: "holds agent/auth-profiles.json (1 auth profile); …". */
export function describeFindings(id: string, f: OwnerFindings): string {
  const parts: string[] = [];
  if (f.reserved) parts.push(`"${id}" is an agent id OpenClaw reserves for its own system agent`);
  if (f.legacySharedStore) parts.push(`${LEGACY_SHARED_STORE} is OpenClaw's legacy shared credential store that every agent reads through (OpenClaw keeps agents/main undeletable until \`openclaw doctor --fix\` relocates that store to state/openclaw.sqlite)`);
  const rest = f.holdings.filter((h) => !(f.legacySharedStore && h.file === LEGACY_SHARED_STORE));
  const legacyRows = f.legacySharedStore ? f.holdings.find((h) => h.file === LEGACY_SHARED_STORE) : undefined;
  if (legacyRows) parts[parts.length - 1] += `, ${holding(legacyRows).replace(/^[^ ]+ /, '')}`;
  if (rest.length > 0) parts.push(`holds ${rest.map(holding).join(', ')}`);
  return parts.join('; ');
}
