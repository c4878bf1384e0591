import JSON5 from 'json5';
import type { NodeFacts } from '../domain/facts.js';
import { CURRENT_SHAPE_SINCE } from './rule-version.js';
import { CREDENTIALS_IN_SQLITE_SINCE, DOCTOR_REFUSES_LINKS_SINCE } from './rule-openclaw.js';
import { compareVersions } from './version.js';

/**
 * Upgrade preflight: what would block OpenClaw `target` on a node, from its facts alone (pure). `blocks`:
 * the target's validator rejects the config, or its doctor (which `openclaw update` runs before switching)
 * refuses the layout; `note`: what the target's doctor will change by itself (credential stores).
 */
export interface PreflightFinding {
  severity: 'blocks' | 'note';
  kind: 'config-key' | 'symlinked-state' | 'legacy-credentials';
  path: string;
  message: string;
}

const at = (target: string, since: string) => compareVersions(target, since) >= 0;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keys of one config shape that the other shape's strict schema rejects (notes on OpenClaw 2026.5.28 vs 2026.9.6). */
function shapeFindings(cfg: Record<string, unknown>, target: string, file: string): PreflightFinding[] {
  const out: PreflightFinding[] = [];
  const agents = isObject(cfg.agents) ? cfg.agents : {};
  const defaults = isObject(agents.defaults) ? agents.defaults : {};
  const logging = isObject(cfg.logging) ? cfg.logging : {};
  const browser = isObject(cfg.browser) ? cfg.browser : {};
  const add = (key: string, why: string) => out.push({ severity: 'blocks', kind: 'config-key', path: file, message: `${key}: OpenClaw ${target}'s validator rejects it (${why})` });
  if (at(target, CURRENT_SHAPE_SINCE)) {
    if ('list' in agents) add('agents.list', 'the roster moved to agents.entries');
    if ('memorySearch' in defaults) add('agents.defaults.memorySearch', 'memory search moved to memory.search');
    if ('redactSensitive' in logging) add('logging.redactSensitive', 'no longer a key');
    if (logging.consoleStyle === 'compact') add('logging.consoleStyle', '"compact" is gone: pretty or json');
    if (isObject(browser.profiles)) {
      for (const [p, v] of Object.entries(browser.profiles)) if (isObject(v) && 'color' in v) add(`browser.profiles.${p}.color`, 'no longer a key');
    }
  } else {
    if ('entries' in agents) add('agents.entries', 'this version reads agents.list');
    if (isObject(cfg.memory) && 'search' in cfg.memory) add('memory.search', 'this version reads agents.defaults.memorySearch');
  }
  return out;
}

export function preflight(facts: NodeFacts, target: string): PreflightFinding[] {
  const out: PreflightFinding[] = [];
  const text = facts.config.text;
  if (text !== null) {
    try {
      const cfg = JSON5.parse(text) as unknown;
      if (isObject(cfg)) out.push(...shapeFindings(cfg, target, facts.config.path));
    } catch {
      out.push({ severity: 'blocks', kind: 'config-key', path: facts.config.path, message: 'not valid JSON5: no OpenClaw version reads it' });
    }
  }
  if (at(target, DOCTOR_REFUSES_LINKS_SINCE)) {
    for (const [path, f] of Object.entries(facts.paths).sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (f.kind !== 'symlink' || !path.startsWith(facts.openclawHome + '/')) continue;
      out.push({ severity: 'blocks', kind: 'symlinked-state', path, message: `symlink to ${f.target}: OpenClaw ${target}'s doctor (run by \`openclaw update\`) refuses state reached through it, its security audit flags it, its backup leaves the data out; planning the node against openclaw-current turns it back into a real dir holding its data (the transition, before the upgrade)` });
    }
  }
  if (at(target, CREDENTIALS_IN_SQLITE_SINCE)) {
    for (const [agent, names] of Object.entries(facts.agentFiles)) {
      if (names?.includes('auth-profiles.json')) {
        out.push({ severity: 'note', kind: 'legacy-credentials', path: `${facts.openclawHome}/agents/${agent}/agent/auth-profiles.json`, message: `credentials in the legacy JSON file: OpenClaw ${target}'s doctor imports them into SQLite and renames the file aside` });
      }
    }
  }
  if (at(target, DOCTOR_REFUSES_LINKS_SINCE)) {
    const mainListed = facts.agentFiles.main;
    const mainOrphan = facts.manifests[`${facts.openclawHome}/agents/main`];
    if (mainListed?.includes('openclaw-agent.sqlite') || mainOrphan?.entries.some((e) => e.rel === 'agent/openclaw-agent.sqlite')) {
      out.push({ severity: 'note', kind: 'legacy-credentials', path: `${facts.openclawHome}/agents/main/agent/openclaw-agent.sqlite`, message: `the legacy shared credential store every agent reads through: OpenClaw ${target}'s doctor relocates it to state/openclaw.sqlite; keep agents/main until then` });
    }
  }
  return out;
}
