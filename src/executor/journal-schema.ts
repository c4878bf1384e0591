import { z } from 'zod';
import { ActionSchema } from '../plan-file/schema.js';

/**
 * The node's journal (`runs/<run-id>/journal.jsonl`), one JSON record a line, as zod types. A journal is read
 * back from the node, so it is untrusted input: every line is parsed with this schema (see journal.ts), and a
 * line of another version is refused, never guessed at.
 *
 * Versions: 1 (lines without `v`, clawfleet ≤ 0.1.0) and 2 (`v: 2`: link undo records `same`; `carry` notes).
 */
export const JOURNAL_VERSION = 2;

const absPath = z.string().regex(/^\/[^\0]*$/, 'must be an absolute path').refine((p) => !p.split('/').includes('..'), 'must not contain ".."');
const name = z.string().regex(/^[^/\0]+$/).refine((n) => n !== '.' && n !== '..', 'not a plain name');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const seq = z.number().int().min(0);
const id = z.number().int().min(0).max(0xffffffff);
const ownership = z.strictObject({ uid: id, gid: id, mode: z.number().int().min(0).max(0o7777) });
const at = z.string();

/** Everything rollback needs to undo one action, fixed (and journaled) before the action starts. */
export const UndoInfoSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('ensure-dir'), path: absPath }),
  z.strictObject({
    kind: z.literal('link'),
    path: absPath,
    target: absPath,
    from: z.enum(['missing', 'dir', 'symlink']),
    oldTarget: z.string().optional(),
    /** Where the real dir is moved aside (the attic, same filesystem as `path`). */
    backup: absPath,
    /** Entries copied into `target` (the action's `copy`). */
    copied: z.array(name),
    /** Entries already in `target` with identical content (the action's `same`); absent in version 1. */
    same: z.array(name).optional(),
    tmpPrefix: z.string().regex(/^\.clawfleet-[0-9A-Za-z-]+-$/),
  }),
  z.strictObject({
    kind: z.literal('merge-config'),
    path: absPath,
    existed: z.boolean(),
    backup: absPath,
    mode: z.number().int().min(0).max(0o7777),
    afterSha256: sha256,
    aside: absPath,
    /** The candidate written before the rename (absent in journals of older versions). */
    tmp: absPath.optional(),
    /** sha256 of the file planned against, when it existed. */
    beforeSha256: sha256.optional(),
    /** Owner, group and mode of the file before the run (restored with its bytes); absent in older journals. */
    owner: ownership.optional(),
  }),
  z.strictObject({ kind: z.literal('quarantine'), path: absPath, to: absPath }),
  /** A bootstrap step: installs are not undone (`irreversible`); the others say what their undo does; `config`: the config file `agents add` backed up. */
  z.strictObject({ kind: z.literal('bootstrap'), op: z.string(), path: absPath, irreversible: z.boolean(), backup: absPath.optional(), config: absPath.optional() }),
  /** A retired link turned back into a real dir: the dir is staged at `backup` (attic) before it replaces the link. */
  z.strictObject({ kind: z.literal('unlink'), path: absPath, target: absPath, backup: absPath, tmpPrefix: z.string().regex(/^\.clawfleet-[0-9A-Za-z-]+-$/) }),
  /** An agent dir moved whole to `target` (the original kept at `backup`, the attic): undone like a link's dir. */
  z.strictObject({
    kind: z.literal('relocate'),
    path: absPath,
    target: absPath,
    backup: absPath,
    copied: z.array(name),
    same: z.array(name),
    tmpPrefix: z.string().regex(/^\.clawfleet-[0-9A-Za-z-]+-$/),
  }),
  /** The owner, group and mode the path had before (restored exactly), and those the run gave it. */
  z.strictObject({ kind: z.literal('set-owner'), path: absPath, from: ownership, to: ownership }),
]);
export type UndoInfo = z.infer<typeof UndoInfoSchema>;

const v = { v: z.literal(JOURNAL_VERSION).optional() };
const endStatus = z.enum(['applied', 'partial', 'failed', 'rolled-back', 'rollback-failed', 'refused', 'interrupted']);

export const JournalRecordSchema = z.discriminatedUnion('t', [
  z.strictObject({ ...v, t: z.literal('run'), runId: z.string(), node: z.string(), at, by: z.string(), baseline: z.string(), actions: z.number().int().min(0) }),
  z.strictObject({ ...v, t: z.literal('begin'), seq, action: ActionSchema, undo: UndoInfoSchema, at }),
  z.strictObject({ ...v, t: z.literal('step'), seq, step: z.string(), at }),
  /**
   * What a link action found in its target before the link was made (names present that are not the
   * action's copies) and the digests of the entries it copied: rollback tells the gateway's later writes
   * from what was there.
   */
  z.strictObject({ ...v, t: z.literal('carry'), seq, had: z.array(name), digests: z.record(name, sha256), at }),
  z.strictObject({ ...v, t: z.literal('done'), seq, at }),
  z.strictObject({ ...v, t: z.literal('fail'), seq, error: z.string(), at }),
  z.strictObject({ ...v, t: z.literal('refused'), seq, error: z.string(), at }),
  z.strictObject({ ...v, t: z.literal('handler'), command: z.string(), code: z.number().int(), output: z.string(), at }),
  z.strictObject({ ...v, t: z.literal('health'), command: z.string(), ok: z.boolean(), attempts: z.number().int(), code: z.number().int(), output: z.string(), at }),
  z.strictObject({ ...v, t: z.literal('end'), status: endStatus, at }),
  z.strictObject({ ...v, t: z.literal('undone'), seq, at, carried: z.array(z.string()).optional() }),
  z.strictObject({ ...v, t: z.literal('rollback'), by: z.string(), at }),
]);
export type JournalRecord = z.infer<typeof JournalRecordSchema>;
