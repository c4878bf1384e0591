import type { Cell, MissingCredentials } from '../domain/check.js';
import type { NodeFacts } from '../domain/facts.js';
import type { Layout } from '../shared/layout.js';

/** The matrix column `check --require-credentials` adds. */
export const CREDENTIALS_ITEM = 'credentials';

/** What one node's credential scan found, as the judgement needs it: agent ids only, never a profile or a key. */
export interface CredentialPresence {
  /** Agents with at least one credential profile (auth-profiles.json or their agent DB's auth rows). */
  agents: string[];
  /** Agents whose store could not be read this time: neither with nor without credentials. */
  unread: string[];
  /**
   * The default store has a profile: `agents/main`'s (every other agent reads through it) or the shared store
   * that `doctor --fix` moves it to (state/openclaw.sqlite).
   */
  readThrough: boolean;
}

/**
 * The `agent/` dir OpenClaw keeps an agent's credentials in: where the baseline moves it
 * (`agents.entries.<id>.agentDir`) once it is there, else the default one.
 */
export function credentialStore(agent: string, facts: NodeFacts, layout: Layout): string {
  const home = `${layout.agentsDir}/${agent}/agent`;
  const moved = layout.relocations.find((r) => r.agent === agent && r.path === home);
  return moved && facts.paths[home]?.kind !== 'dir' && facts.paths[moved.target]?.kind === 'dir' ? moved.target : home;
}

/**
 * The inventory's agents that have no credentials on the node (pure): not one profile in their own store, nor in
 * the default store every agent reads through (`agents/main`'s, or the shared store): with a key there, none is
 * without. An agent whose store could not be read is left out (unknown is not missing). OpenClaw documents how
 * to add them (`openclaw models auth …`); clawfleet never writes credentials.
 */
export function missingCredentials(agents: readonly string[], found: CredentialPresence, facts: NodeFacts, layout: Layout): MissingCredentials[] {
  if (found.readThrough) return [];
  const have = new Set(found.agents);
  const unread = new Set(found.unread);
  return agents.filter((a) => !have.has(a) && !unread.has(a)).map((agent) => ({ agent, store: credentialStore(agent, facts, layout) }));
}

/**
 * Agents without credentials are a note by default: `check`'s exit code means drift from the baseline, and a
 * node freshly bootstrapped has none until the operator adds them. `--require-credentials` makes them drift.
 */
export function credentialsCell(missing: MissingCredentials[] | undefined): Cell {
  if (missing === undefined) return { state: 'unknown', why: 'credentials not scanned (node not read)' };
  if (missing.length === 0) return { state: 'ok' };
  return { state: 'drift', what: ['credentials'], detail: [`no credentials: ${missing.map((m) => `${m.agent} (${m.store})`).join(', ')}`] };
}
