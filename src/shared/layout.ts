import type { NodeSpec } from '../domain/inventory.js';

/** What a layout needs of a baseline (a Baseline from src/inventory/baseline-schema.ts has it). */
interface LayoutBaseline {
  links: { global: readonly LinkSource[]; agent: readonly LinkSource[] };
  retiredLinks: { global: readonly LinkSource[]; agent: readonly LinkSource[] };
  agentDir?: { target: string; item?: string | undefined } | undefined;
  /** Dirs under the data root the gateway writes into that nothing else names (baseline `dataDirs`). */
  dataDirs?: readonly string[] | undefined;
  config: { file: string };
}
interface LinkSource {
  path: string;
  target: string;
  item?: string | undefined;
}

export interface LinkSlot {
  /** Absolute node path that must be a symlink. */
  path: string;
  /** Absolute node path it must point to. */
  target: string;
  item: string;
  agent?: string;
}

/** Where everything lives on one node: pure derivation from baseline + node + the node's home. */
export interface Layout {
  home: string;
  dataRoot: string;
  configPath: string;
  agentsDir: string;
  /** Dirs under the data root that must exist, parents first. */
  dataDirs: string[];
  links: LinkSlot[];
  /** Links of an earlier baseline that must become real dirs again (baseline `retiredLinks`). */
  retired: LinkSlot[];
  /** Agent dirs that live under the data root, set by `agents.entries.<id>.agentDir` (baseline `agentDir`). */
  relocations: LinkSlot[];
  /** Quarantine dir of a run on the node, on the same filesystem as the agents. */
  attic: string;
  /** Where the node's journal and config backups live. */
  stateDir: string;
}

export function expandHome(p: string, home: string): string {
  return p === '~' ? home : p.startsWith('~/') ? `${home.replace(/\/+$/, '')}/${p.slice(2)}` : p;
}

function norm(p: string): string {
  return p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

function ancestorsUnder(root: string, p: string): string[] {
  const out: string[] = [];
  let cur = p;
  while (cur.length > root.length && cur.startsWith(root + '/')) {
    out.unshift(cur);
    cur = cur.slice(0, cur.lastIndexOf('/'));
  }
  return out;
}

export function layoutFor(baseline: LayoutBaseline, node: NodeSpec, nodeHome: string): Layout {
  const home = norm(expandHome(node.openclawHome, nodeHome));
  const dataRoot = norm(expandHome(node.dataRoot, nodeHome));
  const agentsDir = `${home}/agents`;
  const links: LinkSlot[] = [];
  for (const l of baseline.links.global) {
    links.push({ path: `${home}/${l.path}`, target: `${dataRoot}/${l.target}`, item: l.item ?? l.path });
  }
  for (const agent of node.agents) {
    for (const l of baseline.links.agent) {
      links.push({
        path: `${agentsDir}/${agent}/${l.path}`,
        target: `${dataRoot}/agents/${agent}/${l.target}`,
        item: l.item ?? `agent-${l.path}`,
        agent,
      });
    }
  }
  const retired: LinkSlot[] = [];
  for (const l of baseline.retiredLinks.global) {
    retired.push({ path: `${home}/${l.path}`, target: `${dataRoot}/${l.target}`, item: l.item ?? l.path });
  }
  const relocations: LinkSlot[] = [];
  for (const agent of node.agents) {
    for (const l of baseline.retiredLinks.agent) {
      retired.push({ path: `${agentsDir}/${agent}/${l.path}`, target: `${dataRoot}/agents/${agent}/${l.target}`, item: l.item ?? `agent-${l.path}`, agent });
    }
    if (baseline.agentDir) {
      relocations.push({ path: `${agentsDir}/${agent}/agent`, target: `${dataRoot}/agents/${agent}/${baseline.agentDir.target}`, item: baseline.agentDir.item ?? 'agent-dir', agent });
    }
  }
  const dirs = new Set<string>([dataRoot]);
  for (const target of [...links, ...relocations].map((l) => l.target).concat((baseline.dataDirs ?? []).map((d) => `${dataRoot}/${d}`))) for (const d of ancestorsUnder(dataRoot, target)) dirs.add(d);
  return {
    home,
    dataRoot,
    configPath: `${home}/${baseline.config.file}`,
    agentsDir,
    dataDirs: [...dirs].sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1)),
    links,
    retired,
    relocations,
    attic: `${home}/.clawfleet`,
    stateDir: `${dataRoot}/.clawfleet`,
  };
}
