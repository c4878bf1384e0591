import { dirname, isAbsolute, resolve } from 'node:path';
import { ClawError } from '../domain/errors.js';
import type { HealthSpec, Inventory, NodeSpec } from '../domain/inventory.js';
import { InventorySchema, type InventoryFile } from './inventory-schema.js';
import { checkInventorySense } from './sanity.js';
import { loadYaml, parseYaml } from './yaml-source.js';

type Fields = InventoryFile['defaults'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

function resolveNode(inv: InventoryFile, name: string, file: string): NodeSpec {
  const node = inv.nodes[name]!;
  const groups = Object.entries(inv.groups).filter(([, g]) => g.nodes.includes(name));
  const layers: Fields[] = [inv.defaults, ...groups.map(([, g]) => g), node];
  const pick = <K extends keyof Fields>(k: K): Fields[K] => {
    let v: Fields[K] = undefined as Fields[K];
    for (const l of layers) if (l[k] !== undefined) v = l[k];
    return v;
  };
  // Per section and key, like every other field: a node's { level } keeps its group's { file }.
  const overrides: Record<string, Record<string, unknown>> = {};
  for (const l of layers) for (const [section, v] of Object.entries(l.overrides ?? {})) overrides[section] = deepMerge(overrides[section] ?? {}, v);
  const transport = pick('transport') ?? 'ssh';
  const root = pick('root');
  if (transport === 'local' && root === undefined) {
    throw new ClawError('SCHEMA', `nodes.${name}.root: a local node needs a root dir`, { path: file });
  }
  const spec: NodeSpec = {
    name,
    transport,
    host: pick('host') ?? name,
    dataRoot: pick('dataRoot') ?? '/openclaw-data',
    openclawHome: pick('openclawHome') ?? '~/.openclaw',
    baseline: pick('baseline') ?? 'openclaw-classic',
    agents: node.agents.map((a) => a.toLowerCase()),
    keepAgents: layers.flatMap((l) => l.keepAgents ?? []).map((a) => a.toLowerCase()),
    quarantineAgents: layers.flatMap((l) => l.quarantineAgents ?? []).map((a) => a.toLowerCase()),
    overrides,
    groups: groups.map(([g]) => g),
  };
  const optional = { port: pick('port'), user: pick('user'), identity: pick('identity'), home: pick('home'), handler: pick('handler'), owner: pick('owner') };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) (spec as unknown as Record<string, unknown>)[k] = v;
  if (pick('become') === 'sudo') spec.become = 'sudo';
  const boot = pick('bootstrap');
  if (boot) {
    spec.bootstrap = { source: boot.source, prefix: boot.prefix ?? DEFAULT_PREFIX, port: boot.port ?? DEFAULT_GATEWAY_PORT, readonly: boot.readonly ?? false };
    if (boot.cache !== undefined) spec.bootstrap.cache = boot.cache;
    if (boot.start !== undefined) spec.bootstrap.start = boot.start;
  }
  const health = healthSpec(pick('health'));
  if (health) spec.health = health;
  if (root !== undefined) spec.root = isAbsolute(root) ? root : resolve(dirname(file), root);
  return spec;
}

export const HEALTH_DEADLINE_S = 120;
/** Node-side install dir of a bootstrap, and the port OpenClaw's gateway listens on by default. */
export const DEFAULT_PREFIX = '/opt/openclaw';
export const DEFAULT_GATEWAY_PORT = 18789;
export const HEALTH_INTERVAL_S = 3;

function healthSpec(h: Fields['health']): HealthSpec | undefined {
  if (h === undefined || h === false) return undefined;
  const o = h === true ? {} : typeof h === 'string' ? { command: h } : h;
  return { ...(o.command ? { command: o.command } : {}), deadlineS: o.deadline ?? HEALTH_DEADLINE_S, intervalS: o.interval ?? HEALTH_INTERVAL_S };
}

function toInventory(inv: InventoryFile, file: string, sha256: string, text: string, onDisk: boolean): Inventory {
  const inventory: Inventory = {
    file,
    sha256,
    nodes: Object.keys(inv.nodes).map((n) => resolveNode(inv, n, file)),
    groups: Object.fromEntries(Object.entries(inv.groups).map(([g, v]) => [g, v.nodes])),
  };
  checkInventorySense(inventory, inv, text, { dirs: onDisk });
  return inventory;
}

export async function loadInventory(file: string): Promise<Inventory> {
  const abs = resolve(file);
  const y = await loadYaml(abs, InventorySchema);
  return toInventory(y.value, abs, y.sha256, y.text, true);
}

export function parseInventory(file: string, text: string): Inventory {
  const y = parseYaml(file, text, InventorySchema);
  return toInventory(y.value, file, y.sha256, y.text, false);
}

export { limitNodes } from './limit.js';
