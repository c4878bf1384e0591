/**
 * Inventory values checked for sense at load, before any node is contacted. The schema says what a value
 * may look like; this says whether the values make sense together:
 * - every path is normalized (no `//`, no `.` segment, no trailing `/`);
 * - a data root and an OpenClaw home are not `/` and do not overlap (one inside the other: a data root
 *   under `~/.openclaw/agents` made the second apply quarantine the data root's own dirs);
 * - a node in two groups that set one field (or one override key) to different values is a conflict, unless
 *   the node sets it itself: which group "wins" is not something to leave to file order;
 * - a local node's root dir exists (a missing one planned a full bootstrap of an empty dir);
 * - overrides hold no literal secret (literal-secrets.ts).
 * Each problem is one line naming the file, the line and the key.
 */
import { statSync } from 'node:fs';
import { isAbsolute, posix } from 'node:path';
import { ClawError } from '../domain/errors.js';
import type { Inventory, NodeSpec } from '../domain/inventory.js';
import type { InventoryFile } from './inventory-schema.js';
import { findLiteralSecret, LITERAL_SECRET_HINT } from './literal-secrets.js';
import { keyPath, YamlLines } from './yaml-lines.js';

type Layer = { where: (string | number)[]; fields: InventoryFile['defaults'] };
const PATH_KEYS = ['dataRoot', 'openclawHome', 'home', 'root'] as const;
const SINGLE_KEYS = ['transport', 'host', 'port', 'user', 'identity', 'root', 'home', 'dataRoot', 'openclawHome', 'baseline', 'handler'] as const;

class Problems {
  constructor(
    private readonly file: string,
    private readonly lines: YamlLines,
  ) {}

  fail(path: (string | number)[], message: string): never {
    const line = this.lines.lineOf(path);
    throw new ClawError('SCHEMA', `${line ? `line ${line}: ` : ''}${keyPath(path)}: ${message}`, { path: this.file });
  }
}

function layersOf(inv: InventoryFile, node: string): Layer[] {
  return [
    { where: ['defaults'], fields: inv.defaults },
    ...Object.entries(inv.groups)
      .filter(([, g]) => g.nodes.includes(node))
      .map(([name, g]): Layer => ({ where: ['groups', name], fields: g })),
    { where: ['nodes', node], fields: inv.nodes[node]! },
  ];
}

/** The layer whose value of `key` the node ends up with (the same order as the loader: node > groups > defaults). */
function source(layers: Layer[], key: keyof Layer['fields']): Layer | undefined {
  return [...layers].reverse().find((l) => l.fields[key] !== undefined);
}

function notNormalized(p: string): string | null {
  const body = p.startsWith('~/') ? p.slice(1) : p;
  if (body.includes('//')) return 'has an empty path segment ("//")';
  if (body.length > 1 && body.endsWith('/')) return 'ends with "/"';
  if (body.split('/').includes('.')) return 'has a "." segment';
  if (!isAbsolute(body) && posix.normalize(body) !== body) return 'is not a normalized path';
  return null;
}

/** Both as the node sees them, when that can be known at load (`~/…` needs the node's home). */
function comparable(a: string, b: string, home: string | undefined): [string, string] | null {
  const expand = (p: string) => (p.startsWith('~/') && home ? posix.join(home, p.slice(2)) : p);
  const [x, y] = [expand(a), expand(b)];
  return x.startsWith('~/') === y.startsWith('~/') ? [x, y] : null;
}

const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith('/') ? b : b + '/');

function checkPaths(p: Problems, inv: InventoryFile): void {
  const layers: Layer[] = [
    { where: ['defaults'], fields: inv.defaults },
    ...Object.entries(inv.groups).map(([n, g]): Layer => ({ where: ['groups', n], fields: g })),
    ...Object.entries(inv.nodes).map(([n, f]): Layer => ({ where: ['nodes', n], fields: f })),
  ];
  for (const l of layers) {
    for (const k of PATH_KEYS) {
      const v = l.fields[k];
      const why = typeof v === 'string' ? notNormalized(v) : null;
      if (why) p.fail([...l.where, k], `"${v}" ${why}: write it normalized`);
      if ((k === 'dataRoot' || k === 'openclawHome') && (v === '/' || v === '~/')) p.fail([...l.where, k], `must not be "${v}"`);
    }
    for (const [section, value] of Object.entries(l.fields.overrides ?? {})) {
      const hit = findLiteralSecret(value);
      if (hit) p.fail([...l.where, 'overrides', section, ...hit.path], `${hit.why}: ${LITERAL_SECRET_HINT}`);
    }
  }
}

function checkConflicts(p: Problems, inv: InventoryFile, node: string): void {
  const layers = layersOf(inv, node);
  const groups = layers.slice(1, -1);
  const own = layers[layers.length - 1]!.fields;
  for (const k of SINGLE_KEYS) {
    if (own[k] !== undefined) continue;
    const setting = groups.filter((g) => g.fields[k] !== undefined);
    const other = setting.find((g) => JSON.stringify(g.fields[k]) !== JSON.stringify(setting[0]!.fields[k]));
    if (other) {
      p.fail([...other.where, k], `node ${node} is in groups ${setting[0]!.where[1]} and ${other.where[1]}, which set ${k} to different values (${JSON.stringify(setting[0]!.fields[k])}, ${JSON.stringify(other.fields[k])}); set it on the node itself, or in one group`);
    }
  }
  const seen = new Map<string, { group: string | number; value: string }>();
  const walk = (g: Layer, value: unknown, path: string[]): void => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(g, v, [...path, k]);
      return;
    }
    if (hasOwnOverride(own.overrides, path)) return;
    const id = JSON.stringify(path);
    const prev = seen.get(id);
    if (prev && prev.value !== JSON.stringify(value)) {
      p.fail([...g.where, 'overrides', ...path], `node ${node} is in groups ${prev.group} and ${g.where[1]}, which override ${path.join('.')} with different values; set it on the node itself, or in one group`);
    }
    seen.set(id, { group: g.where[1]!, value: JSON.stringify(value) });
  };
  for (const g of groups) for (const [section, v] of Object.entries(g.fields.overrides ?? {})) walk(g, v, [section]);
}

function hasOwnOverride(overrides: Record<string, unknown> | undefined, path: string[]): boolean {
  let cur: unknown = overrides;
  for (const k of path) {
    if (!cur || typeof cur !== 'object' || !(k in cur)) return false;
    cur = (cur as Record<string, unknown>)[k];
  }
  return true;
}

function checkNode(p: Problems, inv: InventoryFile, spec: NodeSpec, dirs: boolean): void {
  const layers = layersOf(inv, spec.name);
  const home = spec.transport === 'local' ? (spec.home ?? '/root') : spec.home;
  for (const k of ['dataRoot', 'openclawHome'] as const) {
    if (spec[k] === '/') p.fail([...(source(layers, k)?.where ?? ['nodes', spec.name]), k], `node ${spec.name}: must not be "/"`);
  }
  const pair = comparable(spec.dataRoot, spec.openclawHome, home);
  if (pair && (inside(pair[0], pair[1]) || inside(pair[1], pair[0]))) {
    const d = source(layers, 'dataRoot');
    const at: (string | number)[] = d ? [...d.where, 'dataRoot'] : [...(source(layers, 'openclawHome')?.where ?? ['nodes', spec.name]), 'openclawHome'];
    p.fail(at, `node ${spec.name}: data root ${spec.dataRoot} and OpenClaw home ${spec.openclawHome} overlap; the data root must lie outside the OpenClaw home and not contain it`);
  }
  if (dirs && spec.transport === 'local' && spec.root !== undefined) {
    let isDir = false;
    try {
      isDir = statSync(spec.root).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) p.fail([...(source(layers, 'root')?.where ?? ['nodes', spec.name]), 'root'], `node ${spec.name}: root dir ${spec.root} does not exist (or is not a dir)`);
  }
}

/**
 * Throws the first problem found, as one line naming file, line and key. `dirs`: also check that local
 * nodes' root dirs exist on this machine (an inventory loaded from disk; not a text parsed on its own).
 */
export function checkInventorySense(inventory: Inventory, raw: InventoryFile, text: string, opts: { dirs: boolean }): void {
  const p = new Problems(inventory.file, new YamlLines(text));
  checkPaths(p, raw);
  for (const spec of inventory.nodes) checkConflicts(p, raw, spec.name);
  for (const spec of inventory.nodes) checkNode(p, raw, spec, opts.dirs);
}
