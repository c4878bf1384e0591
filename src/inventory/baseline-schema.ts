import { z } from 'zod';

const relPath = z
  .string()
  .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'must be a relative path of plain names')
  .refine((p) => !p.split('/').includes('..') && !p.split('/').includes('.'), 'must not contain "." or ".."');

const link = z.strictObject({
  /** Path under the OpenClaw home (global) or under agents/<id> (agent). */
  path: relPath,
  /** Path under the data root (global) or under <dataRoot>/agents/<id> (agent). */
  target: relPath,
  /** Drift-matrix column this item belongs to (e.g. "memory"). */
  item: z.string().optional(),
});

const versionRe = /^\d{4}\.\d+\.\d+$/;

export const BaselineSchema = z.strictObject({
  name: z.string(),
  description: z.string().optional(),
  /** The OpenClaw config shape this baseline writes, and the versions that accept it. */
  openclaw: z.strictObject({
    shape: z.enum(['classic', 'current']),
    minVersion: z.string().regex(versionRe, 'must look like 2026.5.28'),
    maxVersion: z.string().regex(versionRe, 'must look like 2026.7.99').optional(),
    /** The release a bootstrap installs (inventory `bootstrap:`); a node running another one is a plan error there. */
    pin: z.string().regex(versionRe, 'must look like 2026.9.6').optional(),
  }),
  dirMode: z.number().int().min(0).max(0o7777).default(0o755),
  links: z.strictObject({
    global: z.array(link).default([]),
    agent: z.array(link).default([]),
  }),
  /**
   * Links an earlier baseline made (same form as `links`) that this one replaces: a node still carrying one
   * (pointing where it says) gets it turned back into a real dir holding the target's data, nothing lost.
   */
  retiredLinks: z
    .strictObject({
      global: z.array(link).default([]),
      agent: z.array(link).default([]),
    })
    .default({ global: [], agent: [] }),
  /**
   * OpenClaw 2026.8.1+: every listed agent's `agents/<id>/agent` dir (its SQLite DB: sessions, transcripts,
   * memory index, auth state) lives at `<dataRoot>/agents/<id>/<target>`, set by the config key
   * `agents.entries.<id>.agentDir`; an existing dir is moved there whole.
   */
  agentDir: z.strictObject({ target: relPath, item: z.string().optional() }).optional(),
  /**
   * Dirs under the data root that no link or `agentDir` names but the gateway writes into (the dir of
   * `logging.file`): made like the others, the gateway's own when it runs as its own user (a gateway that is not
   * root cannot create a dir in a root-owned data root).
   */
  dataDirs: z.array(relPath.refine((p) => p.split('/')[0] !== '.clawfleet', "must not be under .clawfleet (clawfleet's own state dir)")).default([]),
  config: z.strictObject({
    file: relPath.default('openclaw.json'),
    mode: z.number().int().min(0).max(0o7777).default(0o600),
    sections: z.array(
      z.strictObject({
        path: z.string().regex(/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/, 'must be a dotted key path'),
        item: z.string().optional(),
        value: z.record(z.string(), z.unknown()),
      }),
    ),
  }),
  /** Globs (picomatch, relative to the OpenClaw home; `*` = one name, `**` any depth) of files never written, moved over or replaced. */
  protected: z.array(z.string()).default(['agents/*/agent/auth-profiles.json']),
  orphans: z
    .strictObject({
      policy: z.enum(['quarantine', 'report']).default('quarantine'),
      neverTouch: z.array(z.string()).default([]),
    })
    .default({ policy: 'quarantine', neverTouch: [] }),
});

export type Baseline = z.output<typeof BaselineSchema>;
export type LinkSpec = Baseline['links']['global'][number];
export type SectionSpec = Baseline['config']['sections'][number];
