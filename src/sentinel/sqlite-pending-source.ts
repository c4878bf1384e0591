import type { NodeReader } from '../transport/types.js';
import { credentialsMovedToSqlite } from '../planner/rule-openclaw.js';
import type { CredentialSource, SourceContext, SourceResult } from './source.js';

/**
 * Placeholder for OpenClaw ≥ 2026.6.5's SQLite credential stores: it reads nothing, and says which agents keep
 * their credentials where the sentinel cannot see them yet, so their silence is never taken for "no change".
 * A read-only SQLite source replaces it (same interface).
 */
export const sqlitePendingSource: CredentialSource = {
  name: 'sqlite (not read)',
  async read(_reader: NodeReader, ctx: SourceContext): Promise<SourceResult> {
    const agents = Object.entries(ctx.agentFiles)
      .filter(([, names]) => credentialsMovedToSqlite(names))
      .map(([a]) => a);
    const notes = agents.length ? [`credentials of ${agents.join(', ')} are in SQLite (openclaw-agent.sqlite): not watched yet`] : [];
    return { records: [], files: [], notes };
  },
};
