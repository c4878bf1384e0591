import { z } from 'zod';
import type { CheckResult } from '../domain/check.js';

/** `check --format json` / `watch --format json` and the webhook payload, as zod types: published as JSON Schema. */

const CellSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('ok') }),
  z.strictObject({ state: z.literal('drift'), what: z.array(z.string()), detail: z.array(z.string()).optional() }),
  z.strictObject({ state: z.literal('unknown'), why: z.string() }),
  z.strictObject({ state: z.literal('waived'), what: z.array(z.string()), reason: z.string(), expires: z.string() }),
  z.strictObject({ state: z.literal('n/a'), why: z.string() }),
]);

export const CredentialEventSchema = z.strictObject({
  kind: z.enum(['added', 'removed', 'replaced', 'shared-key', 'mode-widened', 'unreadable']),
  node: z.string(),
  agents: z.array(z.string()),
  profile: z.string().optional(),
  file: z.string().optional(),
  fingerprint: z.string().regex(/^[0-9a-f]{12}$/).optional(),
  mode: z.string().optional(),
  firstSeen: z.string(),
  message: z.string(),
});

const CheckRowSchema = z.strictObject({
  node: z.string(),
  cells: z.record(z.string(), CellSchema),
  error: z.string().optional(),
  notes: z.array(z.string()),
  openclawVersion: z.string().optional(),
  credentials: z
    .strictObject({ profiles: z.number().int(), agents: z.number().int(), sources: z.array(z.string()), widened: z.array(z.string()), notes: z.array(z.string()) })
    .optional(),
  missingCredentials: z.array(z.strictObject({ agent: z.string(), store: z.string() })).optional(),
});

export const CheckResultSchema = z.strictObject({
  format: z.literal('clawfleet-check'),
  version: z.literal(2),
  checkedAt: z.string(),
  items: z.array(z.string()),
  rows: z.array(CheckRowSchema),
  drift: z.boolean(),
  errors: z.boolean(),
  credentialEvents: z.array(CredentialEventSchema),
});

export const AlertSchema = z.strictObject({
  format: z.literal('clawfleet-alert'),
  version: z.literal(1),
  fleet: z.string(),
  sentAt: z.string(),
  summary: z.string(),
  events: z.array(
    z.strictObject({
      kind: z.enum(['drift', 'resolved', 'unknown', 'unreachable', 'reachable', 'credential']),
      node: z.string(),
      item: z.string().optional(),
      what: z.array(z.string()).optional(),
      message: z.string(),
      at: z.string(),
      since: z.string().optional(),
      credential: CredentialEventSchema.optional(),
    }),
  ),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _checkShape: Same<z.output<typeof CheckResultSchema>, CheckResult> = true;
void _checkShape;

export function checkJsonSchema(): unknown {
  return z.toJSONSchema(CheckResultSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}

export function alertJsonSchema(): unknown {
  return z.toJSONSchema(AlertSchema, { target: 'draft-2020-12', unrepresentable: 'any' });
}
