import JSON5 from 'json5';
import type { Action, LinkAction, QuarantineAction } from '../domain/actions.js';
import type { Diagnostic } from '../domain/plan.js';
import { diag, type PlanInput, type RuleOutput } from './context.js';
import { compareVersions } from './version.js';

/**
 * What the node's real OpenClaw makes of the plan: facts read from OpenClaw's own docs and dist code, checked
 * against releases 2026.5.28 and 2026.9.6. Pure; reads the facts and the actions the earlier rules planned.
 */

/** From this release on, `openclaw doctor --fix` (which upgrades run) refuses state dirs reached through symlinks. */
export const DOCTOR_REFUSES_LINKS_SINCE = '2026.8.1';
/** From this release on, credentials live in OpenClaw's SQLite store; upgrades rename auth-profiles.json aside. */
export const CREDENTIALS_IN_SQLITE_SINCE = '2026.6.5';

const MAX_NAMED = 8;

function listNames(names: string[]): string {
  return names.length <= MAX_NAMED ? names.join(', ') : `${names.slice(0, MAX_NAMED).join(', ')} and ${names.length - MAX_NAMED} more`;
}

/** Where a link action sits, relative to the OpenClaw home, with the agent id generalised: "agents/*\/sessions". */
function linkSlotName(input: PlanInput, a: LinkAction): string {
  const rel = a.path.startsWith(input.layout.home + '/') ? a.path.slice(input.layout.home.length + 1) : a.path;
  return rel.replace(/^agents\/[^/]+\//, 'agents/*/');
}

/** The agent ids openclaw.json itself configures: `agents.list[].id` (classic) or `agents.entries` keys (current). */
export function configuredAgents(text: string | null): Set<string> {
  const out = new Set<string>();
  if (text === null) return out;
  let cfg: unknown;
  try {
    cfg = JSON5.parse(text);
  } catch {
    return out; // rule-config reports an unreadable config
  }
  const agents = (cfg as { agents?: { list?: unknown; entries?: unknown } } | null)?.agents;
  if (Array.isArray(agents?.list)) {
    for (const e of agents.list) {
      const id = (e as { id?: unknown } | null)?.id;
      if (typeof id === 'string') out.add(id.toLowerCase());
    }
  }
  if (agents?.entries && typeof agents.entries === 'object' && !Array.isArray(agents.entries)) {
    for (const id of Object.keys(agents.entries)) out.add(id.toLowerCase());
  }
  return out;
}

/** An agent whose credentials moved into OpenClaw's SQLite store: a renamed JSON or the agent DB, no auth-profiles.json. */
export function credentialsMovedToSqlite(names: string[] | null | undefined): boolean {
  if (!names || names.includes('auth-profiles.json')) return false;
  return names.some((n) => n.startsWith('auth-profiles.json.') || n === 'openclaw-agent.sqlite');
}

/**
 * OpenClaw-aware notes and warnings:
 * - no openclaw program on the node → the merged config cannot be validated there (bootstrap);
 * - links planned on a version whose `doctor --fix` refuses symlinked state dirs, naming the version, and
 *   loudly when a legacy sessions.json still waits behind such a dir for its import into SQLite;
 * - agents whose credentials moved into SQLite: auth-profiles.json is absent by design and never recreated;
 * - an orphan that openclaw.json still configures as an agent.
 */
export function planOpenclaw(input: PlanInput, prior: readonly Action[] = []): RuleOutput {
  const diagnostics: Diagnostic[] = [];
  const { facts, layout } = input;
  const version = facts.openclawVersion?.version ?? null;

  if (facts.openclawBinary === null && prior.some((a) => a.type === 'merge-config')) {
    diagnostics.push(
      diag(input, 'info', 'no openclaw program on this node: the merged config cannot be checked with OpenClaw\'s own validator (`openclaw config validate`) before it is written', layout.configPath),
    );
  }

  const links = prior.filter((a): a is LinkAction => a.type === 'link');
  if (version !== null && compareVersions(version, DOCTOR_REFUSES_LINKS_SINCE) >= 0 && links.length > 0) {
    const slots = [...new Set(links.map((a) => linkSlotName(input, a)))];
    diagnostics.push(
      diag(
        input,
        'warning',
        `OpenClaw ${version} (${DOCTOR_REFUSES_LINKS_SINCE} or later): \`openclaw doctor --fix\`, which upgrades run, refuses state dirs reached through symlinks ("path alias escape blocked", "Refusing session SQLite migration through symbolic link") and can hang; this plan makes ${links.length} of them links (${listNames(slots)})`,
        layout.home,
      ),
    );
    for (const a of links) {
      const m = facts.manifests[a.path];
      if (a.expect.kind === 'dir' && m?.entries.some((e) => e.rel === 'sessions.json' && e.kind === 'file')) {
        diagnostics.push(
          diag(
            input,
            'warning',
            `holds a legacy sessions.json not yet imported into OpenClaw ${version}'s SQLite session store: its gateway refuses readiness while it is there, and once this dir is a link \`openclaw doctor --fix\` refuses to import it; run \`openclaw doctor --fix\` on the node before apply`,
            a.path,
          ),
        );
      }
    }
  }

  const moved = input.node.agents.filter((a) => credentialsMovedToSqlite(facts.agentFiles[a]));
  if (moved.length > 0) {
    diagnostics.push(
      diag(
        input,
        'info',
        `agent${moved.length === 1 ? '' : 's'} ${listNames(moved)}: no auth-profiles.json, the credentials are in OpenClaw's SQLite store (auth-profiles.json.migrated-… / openclaw-agent.sqlite, since ${CREDENTIALS_IN_SQLITE_SINCE}); that is by design, and clawfleet never creates auth-profiles.json`,
        layout.agentsDir,
      ),
    );
  }

  const configured = configuredAgents(facts.config.text);
  for (const q of prior.filter((a): a is QuarantineAction => a.type === 'quarantine')) {
    if (!configured.has(q.agentId.toLowerCase())) continue;
    diagnostics.push(
      diag(
        input,
        'warning',
        `agent "${q.agentId}" is configured in openclaw.json but not in the inventory: quarantine takes its dir away from a configured OpenClaw agent; list it under agents or keepAgents to keep it`,
        q.path,
      ),
    );
  }
  return { actions: [], diagnostics };
}
