import { z } from 'zod';
import { AGENT_ID_RE, NODE_NAME_RE } from './agent-id.js';

const absOrHome = z
  .string()
  .regex(/^(~\/|\/)[^\0\n]*$/, 'must be an absolute path or start with ~/')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".."');

const agentId = z.string().regex(AGENT_ID_RE, 'agent id must match /^[a-z0-9][a-z0-9_-]{0,63}$/i');
const nodeName = z.string().regex(NODE_NAME_RE, 'name must match /^[a-z0-9][a-z0-9_.-]{0,63}$/i');

/** Fields a node may set, a group may set for its nodes, and `defaults` sets for all. */
const nodeFields = {
  transport: z.enum(['ssh', 'local']).optional(),
  host: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'host must be a host name, alias or address').optional(),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().regex(/^[a-z_][a-z0-9_.-]*$/i, 'user must be a plain user name').optional(),
  identity: z.string().optional(),
  /** `sudo`: a non-root login runs whatever needs root through `sudo -n` (`none` turns a group's or the defaults' off). */
  become: z.enum(['sudo', 'none']).optional(),
  /** The gateway's user and group on the node: `openclaw` or `openclaw:openclaw` (default: the owner of openclawHome). */
  owner: z.string().regex(/^[a-z0-9_][a-z0-9_.-]*(:[a-z0-9_][a-z0-9_.-]*)?$/i, 'owner must be "user" or "user:group"').optional(),
  /** local transport: the host dir that stands in for the node's `/`. */
  root: z.string().optional(),
  /** local transport: the node's home, as a node path. */
  home: z.string().regex(/^\//, 'home must be absolute').optional(),
  dataRoot: absOrHome.optional(),
  openclawHome: absOrHome.optional(),
  baseline: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'baseline must be a plan name').optional(),
  /** Command run on the node once after an apply changed its config. */
  handler: z.string().optional(),
  /** Health gate after a config change (and the handler): true = the node's own `openclaw health --json`;
   * a string = a shell command that exits 0 when healthy; or { command?, deadline?, interval? } (seconds). */
  health: z
    .union([
      z.boolean(),
      z.string().min(1),
      z.strictObject({
        command: z.string().min(1).optional(),
        deadline: z.number().positive().max(3600).optional(),
        interval: z.number().positive().max(300).optional(),
      }),
    ])
    .optional(),
  /** Per-node values that replace the baseline's section defaults (keys: dotted section paths). */
  overrides: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  /**
   * Bootstrap a node that has no OpenClaw (or not yet the baseline's pinned one): install it, run its own setup,
   * add the agents, install and start its service (README, "Bootstrap a node").
   */
  bootstrap: z
    .strictObject({
      /** `registry`: npm on the node installs openclaw@<pin>; `push`: copied from the operator's offline cache. */
      source: z.enum(['registry', 'push']),
      /** push: operator-side dir holding `node24/` and `openclaw-<version>/` (scripts/openclaw-compat-install.sh). */
      cache: z.string().regex(/^\/[^\0\n]*$/, 'cache must be an absolute path').optional(),
      /** Node-side dir installs go to (`<prefix>/<version>`, `<prefix>/node-24`); default /opt/openclaw. */
      prefix: z.string().regex(/^\/[A-Za-z0-9_./-]+$/, 'prefix must be an absolute path of plain names').refine((p) => !p.split('/').includes('..'), 'must not contain ".."').optional(),
      /** Where the node has no systemd: the command that starts the gateway in the background (run by /bin/sh). */
      start: z.string().min(1).optional(),
      /** Port of the gateway the systemd unit starts (default 18789). */
      port: z.number().int().min(1).max(65535).optional(),
      /** OPENCLAW_CONFIG_READONLY=1 in the service (OpenClaw then never rewrites openclaw.json). */
      readonly: z.boolean().optional(),
    })
    .optional(),
  /** Agent ids present on the node that must never be quarantined. */
  keepAgents: z.array(agentId).optional(),
  /**
   * Agent dirs the inventory does not list that hold credentials (or carry an id OpenClaw reserves) and
   * that the operator decided to quarantine anyway: the one explicit way to move such a dir.
   */
  quarantineAgents: z.array(agentId).optional(),
};

export const NodeSchema = z.strictObject({ ...nodeFields, agents: z.array(agentId).default([]) });
export const GroupSchema = z.strictObject({ ...nodeFields, nodes: z.array(nodeName) });

export const InventorySchema = z
  .strictObject({
    version: z.literal(1).optional(),
    defaults: z.strictObject(nodeFields).default({}),
    groups: z.record(nodeName, GroupSchema).default({}),
    nodes: z.record(nodeName, NodeSchema).refine((n) => Object.keys(n).length > 0, 'at least one node is needed'),
  })
  .superRefine((inv, ctx) => {
    for (const [g, group] of Object.entries(inv.groups)) {
      if (g in inv.nodes) ctx.addIssue({ code: 'custom', path: ['groups', g], message: `group name clashes with node "${g}"` });
      group.nodes.forEach((n, i) => {
        if (!(n in inv.nodes)) ctx.addIssue({ code: 'custom', path: ['groups', g, 'nodes', i], message: `unknown node "${n}"` });
      });
    }
    for (const [name, node] of Object.entries(inv.nodes)) {
      const dup = node.agents.find((a, i) => node.agents.findIndex((b) => b.toLowerCase() === a.toLowerCase()) !== i);
      if (dup) ctx.addIssue({ code: 'custom', path: ['nodes', name, 'agents'], message: `agent "${dup}" listed twice` });
    }
  });

export type InventoryFile = z.output<typeof InventorySchema>;
export type NodeFields = z.output<typeof NodeSchema>;
