import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CredentialHolding, DirChild, Manifest, ManifestEntry, NodeFacts, PathFact } from '../../src/domain/facts.js';
import type { NodeSpec } from '../../src/domain/inventory.js';
import { makeManifest, sha256Hex } from '../../src/shared/manifest.js';
import { BaselineSchema, type Baseline } from '../../src/inventory/baseline-schema.js';
import { BUILTIN_PLANS } from '../../src/inventory/load-baseline.js';
import { parseYaml } from '../../src/inventory/yaml-source.js';
import type { PlanInput } from '../../src/planner/context.js';
import { layoutFor, type Layout } from '../../src/shared/layout.js';

/**
 * Hand-built planner inputs. Paths follow the reference layout: home /root, OpenClaw home /root/.openclaw,
 * data root /openclaw-data. A builder starts from a node that is converged on its baseline (`converged`) or
 * from an empty machine (`bare`) and tests change one fact at a time.
 */

export const HOME = '/root';
export const OC = '/root/.openclaw';
export const DATA = '/openclaw-data';
export const CONFIG = `${OC}/openclaw.json`;
export const IN_RANGE = '2026.5.28';
export const OPENCLAW_BIN = '/usr/local/bin/openclaw';

/** A small baseline: one global link, one agent link, two config sections. */
export function miniBaseline(over: Record<string, unknown> = {}): Baseline {
  return BaselineSchema.parse({
    name: 'mini',
    openclaw: { shape: 'classic', minVersion: '2026.3.2', maxVersion: '2026.7.999' },
    links: {
      global: [{ path: 'memory', target: 'memory' }],
      agent: [{ path: 'sessions', target: 'sessions' }],
    },
    config: {
      sections: [
        { path: 'logging', value: { level: 'info', file: '/openclaw-data/logs/openclaw.log' } },
        { path: 'tools.media', value: { concurrency: 2, image: { enabled: true } } },
      ],
    },
    ...over,
  });
}

/** A config text holding every section of the mini baseline with its default values. */
export const MINI_CONFIG_FULL = `// hand-edited
{
  meta: { lastTouchedVersion: "${IN_RANGE}" },
  logging: { level: "info", file: "/openclaw-data/logs/openclaw.log" },
  tools: { profile: "coding", media: { concurrency: 2, image: { enabled: true } } },
}
`;

/** plans/<name>.yaml as shipped, parsed synchronously. */
export function shippedBaseline(name: 'openclaw-classic' | 'openclaw-current'): Baseline {
  const file = join(BUILTIN_PLANS, `${name}.yaml`);
  return parseYaml(file, readFileSync(file, 'utf8'), BaselineSchema).value;
}

/** A config text holding every section of the shipped classic baseline with its default values. */
export const CLASSIC_CONFIG_FULL = `{
  meta: { lastTouchedVersion: "${IN_RANGE}" },
  agents: { defaults: { memorySearch: { enabled: true } } },
  tools: { media: { concurrency: 2, image: { enabled: true }, audio: { enabled: true }, video: { enabled: false } } },
  logging: { level: "info", file: "/openclaw-data/logs/openclaw.log", maxFileBytes: 104857600, consoleLevel: "warn", consoleStyle: "pretty" },
  browser: { enabled: true, headless: true, noSandbox: true, defaultProfile: "openclaw" },
}
`;

export function nodeSpec(over: Partial<NodeSpec> = {}): NodeSpec {
  return {
    name: 'n1',
    transport: 'ssh',
    host: 'n1.lan',
    dataRoot: DATA,
    openclawHome: '~/.openclaw',
    baseline: 'mini',
    agents: ['alpha'],
    keepAgents: [],
    overrides: {},
    groups: [],
    ...over,
  };
}

/** Files of a tree: rel path → content (string) or `{ link: target }`. Parent dirs are implied. */
export type TreeSpec = Record<string, string | { link: string } | { mode: number; text: string }>;

/** A manifest as the facts gatherer would produce it for `tree`. */
export function manifestOf(tree: TreeSpec): Manifest {
  const entries = new Map<string, ManifestEntry>();
  for (const [rel, v] of Object.entries(tree)) {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!entries.has(d)) entries.set(d, { rel: d, kind: 'dir', mode: 0o755 });
    }
    if (typeof v === 'string') entries.set(rel, { rel, kind: 'file', mode: 0o644, size: Buffer.byteLength(v), sha256: sha256Hex(v) });
    else if ('link' in v) entries.set(rel, { rel, kind: 'symlink', mode: 0o777, target: v.link });
    else entries.set(rel, { rel, kind: 'file', mode: v.mode, size: Buffer.byteLength(v.text), sha256: sha256Hex(v.text) });
  }
  return makeManifest([...entries.values()]);
}

export function fileFact(text: string, mode = 0o600): PathFact {
  return { kind: 'file', mode, size: Buffer.byteLength(text), sha256: sha256Hex(text) };
}

export class InputBuilder {
  readonly layout: Layout;
  paths: Record<string, PathFact> = {};
  manifests: Record<string, Manifest | null> = {};
  agentDirs: DirChild[] | null = null;
  config: NodeFacts['config'];
  version: NodeFacts['openclawVersion'] = null;
  binary: NodeFacts['openclawBinary'] = null;
  agentFiles: NodeFacts['agentFiles'] = {};
  agentCredentials: NodeFacts['agentCredentials'] = {};
  gatewayUser: NodeFacts['gateway'] = undefined;
  gatewayProblem: string | undefined = undefined;
  bootstrapFacts: NodeFacts['bootstrap'] = undefined;

  constructor(
    readonly baseline: Baseline,
    readonly node: NodeSpec,
  ) {
    this.layout = layoutFor(baseline, node, HOME);
    this.config = { path: this.layout.configPath, fact: { kind: 'missing' }, text: null };
  }

  missing(path: string): this {
    delete this.paths[path];
    delete this.manifests[path];
    return this;
  }

  /** A real dir; with a tree, its manifest too (as gathered for link slots, their targets and orphans). */
  dir(path: string, tree?: TreeSpec): this {
    this.paths[path] = { kind: 'dir', mode: 0o755 };
    if (tree) this.manifests[path] = manifestOf(tree);
    else delete this.manifests[path];
    return this;
  }

  file(path: string, text = 'x'): this {
    this.paths[path] = fileFact(text, 0o644);
    delete this.manifests[path];
    return this;
  }

  symlink(path: string, target: string): this {
    this.paths[path] = { kind: 'symlink', target };
    delete this.manifests[path];
    return this;
  }

  agents(...children: (string | DirChild)[]): this {
    this.agentDirs = children.map((c) => (typeof c === 'string' ? { name: c, kind: 'dir' } : c));
    return this;
  }

  /** An orphan-candidate agent dir: listed under agents/ and with its manifest. */
  agentDir(name: string, tree: TreeSpec = { 'agent/models.json': '{}' }): this {
    this.agentDirs = [...(this.agentDirs ?? []).filter((c) => c.name !== name), { name, kind: 'dir' }];
    return this.dir(`${this.layout.agentsDir}/${name}`, tree);
  }

  configText(text: string, mode = 0o600): this {
    this.config = { path: this.layout.configPath, fact: fileFact(text, mode), text };
    this.paths[this.layout.configPath] = this.config.fact;
    return this;
  }

  configFact(fact: PathFact): this {
    this.config = { path: this.layout.configPath, fact, text: null };
    if (fact.kind === 'missing') delete this.paths[this.layout.configPath];
    else this.paths[this.layout.configPath] = fact;
    return this;
  }

  /** The version facts report; from 'binary' means an openclaw program answered it (else none is on the node). */
  openclaw(version: string | null, source: 'binary' | 'config' = 'binary'): this {
    this.version = version === null ? null : { version, source };
    this.binary = version !== null && source === 'binary' ? { path: OPENCLAW_BIN, version } : null;
    return this;
  }

  /** The openclaw program alone (e.g. present, but its `--version` answered nothing usable). */
  program(binary: NodeFacts['openclawBinary']): this {
    this.binary = binary;
    return this;
  }

  /** Names in an agent's `agent/` dir (null: no such dir). */
  /** What the facts found holding credentials in an agent dir (unlisted dirs, as gather reads them). */
  credentials(agent: string, holdings: CredentialHolding[]): this {
    this.agentCredentials[agent] = holdings;
    return this;
  }

  agentStore(agent: string, names: string[] | null): this {
    this.agentFiles[agent] = names;
    return this;
  }

  /** The gateway's user as the facts resolved it (null: not found, with the inventory's problem). */
  gateway(user: NodeFacts['gateway'], problem?: string): this {
    this.gatewayUser = user;
    this.gatewayProblem = problem;
    return this;
  }

  /** What the bootstrap probe found (a node the inventory bootstraps). */
  boot(f: NonNullable<NodeFacts['bootstrap']>): this {
    this.bootstrapFacts = f;
    return this;
  }

  /** Owner, group and mode of an existing dir or file (the config's fact too). */
  owned(path: string, uid: number, gid: number, mode: number): this {
    const f = this.paths[path];
    if (!f || (f.kind !== 'dir' && f.kind !== 'file')) throw new Error(`owned: ${path} is not a dir or file`);
    this.paths[path] = { ...f, uid, gid, mode };
    if (path === this.layout.configPath) this.config = { ...this.config, fact: this.paths[path]! };
    return this;
  }

  /** Everything the baseline wants is in place. */
  converge(configText: string): this {
    this.dir(this.layout.home);
    for (const d of this.layout.dataDirs) this.dir(d);
    this.dir(this.layout.agentsDir);
    this.agents(...this.node.agents);
    for (const a of this.node.agents) this.dir(`${this.layout.agentsDir}/${a}`);
    for (const l of this.layout.links) this.symlink(l.path, l.target);
    this.configText(configText);
    this.openclaw(IN_RANGE);
    return this;
  }

  build(): PlanInput {
    const facts: NodeFacts = {
      node: this.node.name,
      openclawHome: this.layout.home,
      dataRoot: this.layout.dataRoot,
      paths: structuredClone(this.paths),
      manifests: structuredClone(this.manifests),
      agentDirs: structuredClone(this.agentDirs),
      config: structuredClone(this.config),
      openclawVersion: structuredClone(this.version),
      openclawBinary: structuredClone(this.binary),
      agentFiles: structuredClone(this.agentFiles),
      agentCredentials: structuredClone(this.agentCredentials),
    };
    if (this.gatewayUser !== undefined) facts.gateway = structuredClone(this.gatewayUser);
    if (this.gatewayProblem !== undefined) facts.gatewayProblem = this.gatewayProblem;
    if (this.bootstrapFacts !== undefined) facts.bootstrap = structuredClone(this.bootstrapFacts);
    return { baseline: this.baseline, node: this.node, facts, layout: this.layout };
  }
}

/** A node converged on the mini baseline, agent "alpha": planNode finds nothing to do. */
export function converged(opts: { baseline?: Baseline; node?: Partial<NodeSpec>; config?: string } = {}): InputBuilder {
  const b = new InputBuilder(opts.baseline ?? miniBaseline(), nodeSpec(opts.node));
  return b.converge(opts.config ?? MINI_CONFIG_FULL);
}

/** A node where nothing exists yet (no home, no data root, no config, unknown version). */
export function bare(opts: { baseline?: Baseline; node?: Partial<NodeSpec> } = {}): InputBuilder {
  return new InputBuilder(opts.baseline ?? miniBaseline(), nodeSpec(opts.node));
}

/** Recursively freezes a value, so any mutation by the code under test throws (ESM is strict mode). */
export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Reflect.ownKeys(v as object)) deepFreeze((v as Record<PropertyKey, unknown>)[k]);
  }
  return v;
}
