import { z } from 'zod';
import type { Plan } from '../domain/plan.js';
import { NEW_USER_RE } from '../planner/system-id.js';

/** The saved-plan file format (and `--format json`), as zod types: validated on read, published as JSON Schema. */

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const absPath = z.string().regex(/^\/[^\0]*$/).refine((p) => !p.split('/').includes('..'), 'must not contain ".."');

const Expect = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('missing') }),
  z.strictObject({ kind: z.literal('dir'), digest: sha256.optional() }),
  z.strictObject({ kind: z.literal('file'), sha256 }),
  z.strictObject({ kind: z.literal('symlink'), target: z.string() }),
]);

const base = {
  id: z.string(),
  path: absPath,
  expect: Expect,
  reason: z.string(),
  items: z.array(z.string()),
};

const mode = z.number().int().min(0).max(0o7777);
const id = z.number().int().min(0).max(0xffffffff);
const idPair = z.strictObject({ uid: id, gid: id });
const ownership = z.strictObject({ uid: id, gid: id, mode });

const name = z.string().regex(/^[^/\0]+$/).refine((n) => n !== '.' && n !== '..', 'not a plain name');

/** The gateway's user a bootstrap step runs as (the inventory's owner name). */
const runAs = z.string().regex(/^[a-z0-9_][a-z0-9_.-]*$/i);
const agentId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i);
const BootOp = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('create-user'), user: z.string().regex(NEW_USER_RE), id: z.number().int().min(1).max(0x7fffffff), home: absPath }),
  z.strictObject({ op: z.literal('install-runtime'), from: absPath, runtime: absPath }),
  z.strictObject({ op: z.literal('install-openclaw'), source: z.enum(['registry', 'push']), version: z.string().regex(/^\d{4}\.\d+\.\d+$/), from: absPath.optional(), node: z.string(), wrapper: absPath }),
  z.strictObject({ op: z.literal('openclaw-setup'), workspace: absPath, runAs: runAs.optional() }),
  z.strictObject({ op: z.literal('add-agent'), agentId, workspace: absPath, config: absPath, runAs: runAs.optional() }),
  z.strictObject({ op: z.literal('install-service'), unit: z.string() }),
  z.strictObject({
    op: z.literal('start-service'),
    systemd: z.boolean(),
    command: z.string().optional(),
    config: absPath,
    runAs: runAs.optional(),
    port: z.number().int().min(1).max(65535),
    readonly: z.boolean(),
    health: z.strictObject({ command: z.string().optional(), deadlineS: z.number().positive(), intervalS: z.number().positive() }),
  }),
]);

export const ActionSchema = z.discriminatedUnion('type', [
  z.strictObject({ ...base, type: z.literal('ensure-dir'), mode, owner: idPair.optional() }),
  z.strictObject({ ...base, type: z.literal('link'), target: absPath, copy: z.array(name), same: z.array(name), owner: idPair.optional() }),
  z.strictObject({
    ...base,
    type: z.literal('merge-config'),
    sections: z.array(
      z.strictObject({
        path: z.array(z.string()),
        value: z.record(z.string(), z.unknown()),
        included: z.array(z.strictObject({ at: z.string(), keys: z.array(z.string()) })).optional(),
        replace: z.strictObject({ key: z.string(), from: z.array(z.string()) }).optional(),
      }),
    ),
    afterSha256: sha256,
    diff: z.string(),
    added: z.array(z.string()),
    mode,
    owner: idPair.optional(),
    before: ownership.optional(),
  }),
  z.strictObject({ ...base, type: z.literal('set-owner'), from: ownership, to: ownership }),
  z.strictObject({ ...base, type: z.literal('quarantine'), agentId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i), holdsCredentials: z.boolean() }),
  z.strictObject({ ...base, type: z.literal('unlink'), target: absPath }),
  z.strictObject({ ...base, type: z.literal('bootstrap'), boot: BootOp, irreversible: z.boolean() }),
  z.strictObject({ ...base, type: z.literal('relocate'), agentId: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i), target: absPath, copy: z.array(name), same: z.array(name) }),
]);

const DiagnosticSchema = z.strictObject({
  severity: z.enum(['error', 'warning', 'info']),
  node: z.string(),
  path: z.string().optional(),
  message: z.string(),
});

const NodePlanSchema = z.strictObject({
  node: z.string(),
  baseline: z.string(),
  paths: z.strictObject({ home: z.string(), dataRoot: z.string(), attic: z.string(), stateDir: z.string(), dataRootMode: z.strictObject({ gid: id, mode }).optional() }),
  protected: z.array(z.string()),
  actions: z.array(ActionSchema),
  diagnostics: z.array(DiagnosticSchema),
});

export const PlanSchema = z.strictObject({
  format: z.literal('clawfleet-plan'),
  version: z.literal(1),
  createdAt: z.string(),
  baselines: z.array(z.strictObject({ name: z.string(), sha256 })),
  inventory: z.strictObject({ path: z.string(), sha256 }),
  nodes: z.array(NodePlanSchema),
  shard: z.strictObject({ index: z.number().int().min(1), count: z.number().int().min(1), together: z.array(z.string()) }).optional(),
  /** Present in `--format json` output and saved plans; ignored on read. */
  summary: z.record(z.string(), z.number()).optional(),
});

// The zod type and the domain type must stay the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _planShape: Same<Omit<z.output<typeof PlanSchema>, 'summary'>, Plan> = true;
void _planShape;

export function planJsonSchema(): unknown {
  return z.toJSONSchema(PlanSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}
