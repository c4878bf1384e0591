import { accountsFact, LOGIN_DEFS } from './accounts.js';
import { ACCOUNT_FILES, GROUP, PASSWD, resolveGateway } from './gateway-user.js';
import { parentOf } from '../shared/node-path.js';
import type { NodeFacts } from '../domain/facts.js';
import type { NodeSpec } from '../domain/inventory.js';
import type { Baseline } from '../inventory/baseline-schema.js';
import { layoutFor, type Layout } from '../shared/layout.js';
import { bootHealthCommand, gatewayRunAs } from '../shared/bootstrap-paths.js';
import { MAX_CONFIG_BYTES } from '../shared/limits.js';
import type { NodeReader } from '../transport/types.js';
import { recordedVersion } from './config-version.js';
import { credentialHoldings } from './credentials.js';
import { BUILTIN_PROTECTED } from '../domain/protected.js';
import { globToRe } from '../shared/glob.js';
import type { BootstrapFacts, CredentialHolding, Manifest, ProbeRequest, ProbeResult } from '../domain/facts.js';
import { resolveIncludes, topLevelIncludeRequest } from './includes.js';

export interface GatheredFacts {
  facts: NodeFacts;
  layout: Layout;
}

/**
 * Read-only: everything the planner needs about one node, in a constant number of round trips
 * (home, one batched probe, one probe for manifests, one version query) whatever the agent count.
 */
/** Every dir an apply may write into (or move), and the parents it creates them in (planner/rule-access.ts). */
function writeDirs(layout: Layout, node: NodeSpec): string[] {
  const dirs = new Set([layout.home, layout.attic, layout.agentsDir, layout.dataRoot, parentOf(layout.dataRoot), layout.stateDir, ...layout.dataDirs]);
  for (const a of node.agents) dirs.add(`${layout.agentsDir}/${a}`);
  for (const l of [...layout.links, ...layout.retired, ...layout.relocations]) dirs.add(l.path);
  return [...dirs];
}

/**
 * A bootstrapped node's install, runtime and service (one read-only command); `pushCache` answers what the
 * operator-side cache holds (the fleet pipeline passes transport/push-cache.ts: facts read no local files).
 */
async function bootstrapFacts(reader: NodeReader, node: NodeSpec, baseline: Baseline, layout: Layout, pushCache?: PushCacheLookup): Promise<BootstrapFacts> {
  const b = node.bootstrap!;
  const own = node.health?.command === undefined;
  const runAs = gatewayRunAs(node.owner);
  const health = node.health?.command ?? bootHealthCommand(b.port, layout, runAs);
  const writableAs = runAs !== undefined ? { writableAs: { user: runAs, dir: layout.home } } : {};
  const f = await reader.bootstrapFacts({ prefix: b.prefix, health, ...(own ? { port: b.port } : {}), ...writableAs });
  if (b.source === 'push' && b.cache !== undefined && baseline.openclaw.pin && pushCache) f.pushSource = await pushCache(b.cache, baseline.openclaw.pin);
  return f;
}

export type PushCacheLookup = (cache: string, version: string) => Promise<{ runtime: boolean; openclaw: boolean }>;

export async function gatherFacts(reader: NodeReader, node: NodeSpec, baseline: Baseline, pushCache?: PushCacheLookup): Promise<GatheredFacts> {
  // The version query needs nothing from the probes: it runs alongside them (one more round trip in
  // flight, none more in sequence).
  const version = reader.openclawBinary();
  version.catch(() => undefined); // awaited below; if a probe fails first, its error is the one reported
  const layout = layoutFor(baseline, node, await reader.home());
  const boot = node.bootstrap ? bootstrapFacts(reader, node, baseline, layout, pushCache) : null;
  boot?.catch(() => undefined);
  const stat = new Set<string>([layout.home, layout.agentsDir, layout.configPath, ...layout.dataDirs]);
  for (const l of [...layout.links, ...layout.retired, ...layout.relocations]) {
    stat.add(l.path);
    stat.add(l.target);
  }
  // Each listed agent's `agent/` dir is listed too: where its credentials are (auth-profiles.json or SQLite).
  const agentStores = node.agents.map((a) => `${layout.agentsDir}/${a}/agent`);
  const first = await reader.probe({ stat: [...stat], list: [layout.agentsDir, ...agentStores], read: [layout.configPath, ...ACCOUNT_FILES, ...(node.bootstrap ? [LOGIN_DEFS] : [])], access: writeDirs(layout, node) });
  const agentDirs = first.list[layout.agentsDir] ?? null;

  // Manifests: dirs that would become links (and their targets, to detect clashes), and orphan candidates.
  const manifest = new Set<string>();
  for (const l of [...layout.links, ...layout.relocations]) {
    if (first.stat[l.path]?.kind === 'dir') {
      manifest.add(l.path);
      if (first.stat[l.target]?.kind === 'dir') manifest.add(l.target);
    }
  }
  const listed = new Set(node.agents);
  for (const c of agentDirs ?? []) {
    if (!listed.has(c.name) && c.kind === 'dir') manifest.add(`${layout.agentsDir}/${c.name}`);
  }
  // The config's top-level $includes are read in the same probe (nested ones, rare, cost one probe a level).
  const configFact0 = first.stat[layout.configPath];
  const text0 = configFact0?.kind === 'file' && configFact0.size <= MAX_CONFIG_BYTES ? (first.read[layout.configPath] ?? null) : null;
  const topIncludes = text0 !== null && text0.includes('$include') ? topLevelIncludeRequest(layout.configPath, text0) : { stat: [], read: [] };
  const secondReq: ProbeRequest = {};
  if (manifest.size > 0) secondReq.manifest = [...manifest];
  if (topIncludes.read.length > 0) Object.assign(secondReq, topIncludes);
  const second: ProbeResult | { manifest: Record<string, Manifest | null> } =
    secondReq.manifest || secondReq.read ? await reader.probe(secondReq) : { manifest: {} };
  const includes =
    text0 !== null && text0.includes('$include')
      ? await resolveIncludes(layout.configPath, text0, (req) => reader.probe(req), 'read' in second ? second : undefined)
      : undefined;

  // Unlisted agent dirs: what holds credentials there (auth-profiles.json, an agent DB with auth rows).
  const globs = [...BUILTIN_PROTECTED, ...baseline.protected].map(globToRe);
  const agentCredentials: Record<string, CredentialHolding[]> = {};
  await Promise.all(
    (agentDirs ?? [])
      .filter((c) => !listed.has(c.name) && c.kind === 'dir')
      .map(async (c) => {
        const dir = `${layout.agentsDir}/${c.name}`;
        const m = second.manifest[dir];
        if (m) agentCredentials[c.name] = await credentialHoldings(reader, dir, m.entries, (rel) => globs.some((re) => re.test(`agents/${c.name}/${rel}`)));
      }),
  );

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
    config: { path: layout.configPath, fact: first.stat[layout.configPath] ?? { kind: 'missing' }, text, ...(includes ? { includes } : {}) },
    openclawVersion: binary?.version
      ? { version: binary.version, source: 'binary' }
      : fromConfig
        ? { version: fromConfig, source: 'config' }
        : null,
    openclawBinary: binary,
    ...(reader.pathMax !== undefined ? { pathMax: reader.pathMax } : {}),
    agentFiles: Object.fromEntries(node.agents.map((a, i) => [a, first.list[agentStores[i]!]?.map((c) => c.name) ?? null])),
    writable: first.access ?? {},
    agentCredentials,
  };
  const gw = resolveGateway(node.owner, first.stat[layout.home], first.read[PASSWD] ?? null, first.read[GROUP] ?? null);
  if (boot) facts.bootstrap = await boot;
  facts.gateway = gw.user;
  if (gw.problem) facts.gatewayProblem = gw.problem;
  if (node.bootstrap) facts.accounts = accountsFact(first.read[PASSWD] ?? null, first.read[GROUP] ?? null, first.read[LOGIN_DEFS] ?? null);
  return { facts, layout };
}
