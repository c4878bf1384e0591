import type { Action, Expect } from '../domain/actions.js';
import { ClawError } from '../domain/errors.js';
import type { PathFact } from '../domain/facts.js';
import { fileBytes, sameByStamps } from '../shared/manifest.js';
import { BUILTIN_PROTECTED } from '../domain/protected.js';
import { globToRe } from '../shared/glob.js';
import type { RunContext } from './context.js';

function show(f: PathFact | Expect): string {
  switch (f.kind) {
    case 'file':
      return 'a file' + ('sha256' in f ? ` (sha256 ${f.sha256.slice(0, 12)})` : '');
    case 'symlink':
      return `a symlink to ${f.target}`;
    case 'dir':
      return 'a dir';
    case 'missing':
      return 'nothing';
    default:
      return 'a special file';
  }
}

/** Re-reads the planned-against fact right before acting; any difference refuses the action. */
export async function precheck(ctx: RunContext, action: Action): Promise<void> {
  refuseProtected(ctx, action.path);
  const e = action.expect;
  const wantManifest = e.kind === 'dir' && e.digest !== undefined;
  if (wantManifest && (await unchangedByStamps(ctx, action.path, e.digest!))) return;
  const r = await ctx.writer.probe({ stat: [action.path], manifest: wantManifest ? [action.path] : [] });
  const f = r.stat[action.path] ?? { kind: 'missing' };
  let same = f.kind === e.kind;
  if (same && e.kind === 'file' && f.kind === 'file') same = f.sha256 === e.sha256;
  if (same && e.kind === 'symlink' && f.kind === 'symlink') same = f.target === e.target;
  if (same && wantManifest) same = r.manifest[action.path]?.digest === (e as { digest: string }).digest;
  const m = r.manifest[action.path];
  ctx.checked = same && wantManifest && m ? { path: action.path, manifest: m } : undefined;
  if (!same) {
    const what = f.kind === e.kind ? `${show(f)} whose content changed` : show(f);
    throw new ClawError('STALE', `changed since plan: expected ${show(e)}, found ${what}`, { node: ctx.node, path: action.path });
  }
}

/** Dirs with fewer file bytes than this are hashed again (one cheap probe); bigger ones are re-checked by stamps. */
export const RECHECK_BY_STAMPS_FROM = 1 << 20;

/**
 * A big dir whose plan-time manifest (this process's facts: hashed, stamped, with the plan's digest) still
 * describes it, entry for entry, stamp for stamp: checked with one stat-only walk, no file read again (a 1 GB
 * sparse file is read once, when the plan hashed it). Sets ctx.checked as a hashed re-read would.
 */
async function unchangedByStamps(ctx: RunContext, path: string, digest: string): Promise<boolean> {
  const known = ctx.known?.[path];
  if (!known || known.digest !== digest || known.at === undefined || fileBytes(known) < RECHECK_BY_STAMPS_FROM) return false;
  const r = await ctx.writer.probe({ stat: [path], quick: [path] });
  const q = r.quick?.[path];
  if (r.stat[path]?.kind !== 'dir' || !q || !sameByStamps(known, q)) return false;
  ctx.checked = { path, manifest: known };
  return true;
}

/** The executor's own guard: whatever the plan says, a protected path is never written. */
export function refuseProtected(ctx: RunContext, path: string): void {
  const home = ctx.layout.home + '/';
  if (!path.startsWith(home)) return;
  const rel = path.slice(home.length);
  if ([...BUILTIN_PROTECTED, ...ctx.protectedGlobs].some((g) => globToRe(g).test(rel))) {
    throw new ClawError('PROTECTED', 'protected file: refusing to write it', { node: ctx.node, path });
  }
}
