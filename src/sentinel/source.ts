import type { NodeReader } from '../transport/types.js';

/**
 * One credential profile as a source reports it. Key material never leaves the source: it hands the key to
 * `fingerprint` (an HMAC with the fleet secret) and keeps only the result.
 */
export interface CredentialRecord {
  agent: string;
  profile: string;
  provider?: string;
  type?: string;
  /** Keyed fingerprint (hex) of the profile's key material. */
  fp: string;
  /** Node path it was read from (a file, or a SQLite store). */
  file: string;
}

export interface CredentialFile {
  path: string;
  agent: string;
  mode: number;
}

export interface SourceResult {
  records: CredentialRecord[];
  files: CredentialFile[];
  /** What could not be read, and why (never a secret). */
  notes: string[];
  /** Agents (or SHARED_STORE) whose store could not be read this time: their remembered profiles are kept. */
  unread?: string[];
}

/**
 * The agent name of the shared credential store in `state/openclaw.sqlite` (OpenClaw 2026.9.x): not an agent id
 * (those are `[a-z0-9][a-z0-9_-]*`), so it never collides with one.
 */
/** Each agent's `agent/` dirs to read: the default one, and the one the baseline moves it to. */
export function agentStoreDirs(ctx: SourceContext): { agent: string; dir: string }[] {
  return ctx.agents.flatMap((a) => {
    const moved = ctx.agentDirs?.[a];
    const dirs = [`${ctx.agentsDir}/${a}/agent`, ...(moved && moved !== `${ctx.agentsDir}/${a}/agent` ? [moved] : [])];
    return dirs.map((dir) => ({ agent: a, dir }));
  });
}

export const SHARED_STORE = '(shared store)';

export interface SourceContext {
  node: string;
  /** The node's OpenClaw home (state dir), e.g. `/root/.openclaw`. */
  openclawHome: string;
  /** Absolute `…/agents` dir on the node. */
  agentsDir: string;
  /** Agent dirs present on the node (listed or not: an orphan's credentials count too). */
  agents: string[];
  /** Names in each agent's `agent/` dir, where the facts listed it (listed agents only). */
  agentFiles: Record<string, string[] | null>;
  /**
   * Agents whose `agent/` dir the baseline places elsewhere (`agents.entries.<id>.agentDir`, openclaw-current):
   * that dir, read besides the default one (only one of them exists once the move is done).
   */
  agentDirs?: Record<string, string>;
  fingerprint(material: string): string;
}

/**
 * Where a node keeps credentials. Read-only: a source gets a NodeReader, never a writer. Two sources:
 * `auth-profiles.json` (auth-profiles-source.ts) and OpenClaw ≥ 2026.6.5's SQLite stores, the agent DBs' auth
 * tables and the shared `state/openclaw.sqlite` (sqlite-source.ts).
 */
export interface CredentialSource {
  readonly name: string;
  read(reader: NodeReader, ctx: SourceContext): Promise<SourceResult>;
}
