import type { Action, BootstrapAction, BootstrapOp } from '../domain/actions.js';
import type { NodeSpec } from '../domain/inventory.js';
import type { Baseline } from '../inventory/baseline-schema.js';
import type { Layout } from '../shared/layout.js';
import { sha256Hex } from '../shared/manifest.js';
import { bootHealthCommand, gatewayRunAs, pushSources, RUNTIME_MAJOR, runtimeDir, UNIT_PATH, WRAPPER_PATH } from '../shared/bootstrap-paths.js';

/**
 * Every bootstrap action a node could get, derived from the inventory and the baseline alone (no facts): the
 * rules pick from these, and a saved plan's bootstrap action must be one of them (plan-file/check-node.ts).
 */

/** The systemd unit: the gateway as the gateway's user, its home and config explicit, optionally read-only. */
export function unitText(spec: NodeSpec, layout: Layout, user: string | undefined): string {
  const b = spec.bootstrap!;
  return [
    '# written by clawfleet (inventory `bootstrap:`)',
    '[Unit]',
    'Description=OpenClaw gateway',
    'After=network-online.target',
    '',
    '[Service]',
    ...(user ? [`User=${user}`] : []),
    `Environment=OPENCLAW_STATE_DIR=${layout.home}`,
    `Environment=OPENCLAW_CONFIG_PATH=${layout.configPath}`,
    ...(b.readonly ? ['Environment=OPENCLAW_CONFIG_READONLY=1'] : []),
    `ExecStart=${WRAPPER_PATH} gateway run --port ${b.port}`,
    'Restart=on-failure',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

function action(path: string, boot: BootstrapOp, reason: string, expect: Action['expect'] = { kind: 'missing' }): BootstrapAction {
  const irreversible = boot.op === 'install-runtime' || boot.op === 'install-openclaw' || boot.op === 'create-user';
  return { type: 'bootstrap', id: `bootstrap:${path}`, path, expect, reason, items: ['bootstrap'], boot, irreversible };
}

/** The home a created gateway user gets (useradd --home-dir). */
export function userHome(user: string): string {
  return `/home/${user}`;
}

/** The agents OpenClaw's `agents add` creates (its setup creates `main` itself). */
export function addedAgents(spec: NodeSpec): string[] {
  return spec.agents.filter((a) => a !== 'main');
}

/**
 * A fresh gateway usually answers within a minute; a first start of 2026.9.6 on a loaded 2-core machine once
 * took over 180 s (bootstrap compat test): the wait ends as soon as it answers, so the default is generous.
 */
export const BOOT_HEALTH_DEADLINE_S = 300;

export interface BootstrapCandidates {
  /** The gateway's user made with `id` (chosen from the node's account files: planner/system-id.ts). */
  createUser: ((id: number) => BootstrapAction) | null;
  runtime: BootstrapAction | null;
  openclaw: BootstrapAction;
  setup: BootstrapAction;
  agents: BootstrapAction[];
  unit: BootstrapAction | null;
  start: BootstrapAction;
}

/** Null when the node is not bootstrapped or the baseline pins no version. `unitExpect`: what the unit file is now. */
export function bootstrapCandidates(spec: NodeSpec, baseline: Baseline, layout: Layout, systemd: boolean, unitExpect?: Action['expect']): BootstrapCandidates | null {
  const b = spec.bootstrap;
  const version = baseline.openclaw.pin;
  if (!b || !version) return null;
  const push = b.source === 'push' && b.cache !== undefined;
  const src = push ? pushSources(b.cache!, version) : null;
  const runtime = runtimeDir(b.prefix);
  const user = spec.owner?.split(':')[0];
  const named = user !== undefined && !/^\d+$/.test(user);
  // OpenClaw's setup, `agents add`, the start command and the health check run as the gateway's user: what they write is its.
  const runAs = gatewayRunAs(spec.owner);
  const as = runAs !== undefined ? { runAs } : {};
  const startCmd = b.start;
  return {
    createUser: named ? (id) => action(userHome(user), { op: 'create-user', user, id, home: userHome(user) }, `the gateway's user "${user}" does not exist`) : null,
    runtime: src ? action(runtime, { op: 'install-runtime', from: src.runtime, runtime }, `OpenClaw ${version} runs on Node.js ${RUNTIME_MAJOR}`) : null,
    openclaw: action(
      `${b.prefix}/${version}`,
      { op: 'install-openclaw', source: b.source, version, ...(src ? { from: src.openclaw } : {}), node: src ? `${runtime}/bin/node` : 'node', wrapper: WRAPPER_PATH },
      `baseline "${baseline.name}" pins OpenClaw ${version}`,
    ),
    setup: action(layout.configPath, { op: 'openclaw-setup', workspace: `${layout.home}/workspace`, ...as }, "OpenClaw's own setup makes its config and state"),
    agents: addedAgents(spec).map((id) =>
      action(`${layout.agentsDir}/${id}`, { op: 'add-agent', agentId: id, workspace: `${layout.home}/workspace-${id}`, config: layout.configPath, ...as }, `the inventory lists agent "${id}"`),
    ),
    unit: systemd ? action(UNIT_PATH, { op: 'install-service', unit: unitText(spec, layout, user) }, 'the gateway runs as a systemd service', unitExpect) : null,
    start: action(
      `${b.prefix}/.gateway`,
      {
        op: 'start-service',
        systemd,
        ...(systemd ? {} : startCmd ? { command: startCmd } : {}),
        config: layout.configPath,
        ...(systemd ? {} : as),
        port: b.port,
        readonly: b.readonly,
        health: spec.health?.command
          ? spec.health
          : { command: bootHealthCommand(b.port, layout, runAs), deadlineS: spec.health?.deadlineS ?? BOOT_HEALTH_DEADLINE_S, intervalS: spec.health?.intervalS ?? 3 },
      },
      'the gateway must run and answer its health check',
    ),
  };
}

export function unitSha(c: BootstrapCandidates): string | null {
  return c.unit && c.unit.boot.op === 'install-service' ? sha256Hex(c.unit.boot.unit) : null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A saved plan's bootstrap action must be exactly one the inventory and baseline give (or null: fine). */
export function checkBootstrap(a: BootstrapAction, l: Layout, baseline: Baseline, spec: NodeSpec): string | null {
  const systemd = a.boot.op === 'start-service' ? a.boot.systemd : a.boot.op === 'install-service';
  const c = bootstrapCandidates(spec, baseline, l, systemd);
  if (!c) return 'bootstrap action for a node the inventory does not bootstrap, or a baseline that pins no version';
  // A created user's id comes from the node's account files when planned: the executor checks it is still free.
  const all = [c.createUser?.(a.boot.op === 'create-user' ? a.boot.id : 0) ?? null, c.runtime, c.openclaw, c.setup, ...c.agents, c.unit, c.start].filter((x): x is BootstrapAction => x !== null);
  const match = all.find((x) => x.path === a.path);
  if (!match) return 'bootstrap action at a path the inventory and baseline do not give';
  if (!same(match.boot, a.boot) || match.irreversible !== a.irreversible) return `bootstrap ${a.boot.op} differs from what the inventory and baseline give: re-plan`;
  if (a.boot.op === 'install-service') return a.expect.kind === 'missing' || a.expect.kind === 'file' ? null : `install-service expecting ${a.expect.kind}`;
  return a.expect.kind === 'missing' ? null : `bootstrap ${a.boot.op} expecting ${a.expect.kind}`;
}
