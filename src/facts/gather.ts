import type { NodeFacts } from '../domain/facts.js';
import type { NodeSpec } from '../domain/inventory.js';
import type { Baseline } from '../inventory/baseline-schema.js';
import { layoutFor, type Layout } from '../planner/layout.js';
import { MAX_CONFIG_BYTES } from '../planner/rule-config.js';
import type { NodeReader } from '../transport/types.js';
import { recordedVersion } from './config-version.js';

export interface GatheredFacts {
  facts: NodeFacts;
  layout: Layout;
}

/**
 * Read-only: everything the planner needs about one node, in a constant number of round trips
 * (home, one batched probe, one probe for manifests, one version query) whatever the agent count.
 */
export async function gatherFacts(reader: NodeReader, node: NodeSpec, baseline: Baseline): Promise<GatheredFacts> {
  // The version query needs nothing from the probes: it runs alongside them (one more round trip in
  // flight, none more in sequence).
  const version = reader.openclawBinary();
  version.catch(() => undefined); // awaited below; if a probe fails first, its error is the one reported
  const layout = layoutFor(baseline, node, await reader.home());
  const stat = new Set<string>([layout.home, layout.agentsDir, layout.configPath, ...layout.dataDirs]);
  for (const l of layout.links) {
    stat.add(l.path);
    stat.add(l.target);
  }
  // Each listed agent's `agent/` dir is listed too: where its credentials are (auth-profiles.json or SQLite).
  const agentStores = node.agents.map((a) => `${layout.agentsDir}/${a}/agent`);
  const first = await reader.probe({ stat: [...stat], list: [layout.agentsDir, ...agentStores], read: [layout.configPath] });
  const agentDirs = first.list[layout.agentsDir] ?? null;

  // Manifests: dirs that would become links (and their targets, to detect clashes), and orphan candidates.
  const manifest = new Set<string>();
  for (const l of layout.links) {
    if (first.stat[l.path]?.kind === 'dir') {
      manifest.add(l.path);
      if (first.stat[l.target]?.kind === 'dir') manifest.add(l.target);
    }
  }
  const listed = new Set(node.agents);
  for (const c of agentDirs ?? []) {
    if (!listed.has(c.name) && c.kind === 'dir') manifest.add(`${layout.agentsDir}/${c.name}`);
  }
  const second = manifest.size > 0 ? await reader.probe({ manifest: [...manifest] }) : { manifest: {} };

  const configFact = first.stat[layout.configPath];
  // A config past the size limit is not parsed by anyone: the planner refuses it (rule-config).
  const text = configFact?.kind === 'file' && configFact.size > MAX_CONFIG_BYTES ? null : (first.read[layout.configPath] ?? null);
  const binary = await version;
  const fromConfig = text === null ? null : recordedVersion(text);
  const facts: NodeFacts = {
    node: node.name,
    openclawHome: layout.home,
    dataRoot: layout.dataRoot,
    paths: first.stat,
    manifests: second.manifest,
    agentDirs,
    config: { path: layout.configPath, fact: first.stat[layout.configPath] ?? { kind: 'missing' }, text },
    openclawVersion: binary?.version
      ? { version: binary.version, source: 'binary' }
      : fromConfig
        ? { version: fromConfig, source: 'config' }
        : null,
    openclawBinary: binary,
    ...(reader.pathMax !== undefined ? { pathMax: reader.pathMax } : {}),
    agentFiles: Object.fromEntries(node.agents.map((a, i) => [a, first.list[agentStores[i]!]?.map((c) => c.name) ?? null])),
  };
  return { facts, layout };
}
