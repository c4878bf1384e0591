import type { Manifest } from '../domain/facts.js';
import { subManifest } from '../shared/manifest.js';
import type { RunContext } from './context.js';
import { statOne } from './fs-helpers.js';
import { baseName, parentOf } from '../shared/node-path.js';

/** Digest of one top-level entry of a manifest, or null when the manifest has no such entry. */
export function entryDigest(m: Manifest | null | undefined, name: string): string | null {
  if (!m || !m.entries.some((e) => e.rel === name || e.rel.startsWith(name + '/'))) return null;
  return subManifest(m, name).digest;
}

/** The dir (in the link target) a dir's entries are copied into before they are moved in; its name starts with
 * the run's temp prefix, so it is never taken for an entry of the gateway's. */
export const copyDirName = (u: { tmpPrefix: string }): string => `${u.tmpPrefix}copy`;

/** The new link is made under this name first, then renamed over the old one. */
const linkTmp = (ctx: RunContext, path: string): string => `${parentOf(path)}/.${baseName(path)}.clawfleet-link-${ctx.runId}`;

export async function dropLinkTmp(ctx: RunContext, path: string): Promise<void> {
  const tmp = linkTmp(ctx, path);
  if ((await statOne(ctx.writer, tmp)).kind === 'symlink') await ctx.writer.unlink(tmp); // our own leftover
}

export async function pointTo(ctx: RunContext, path: string, target: string, exists: boolean, owner?: { uid: number; gid: number }): Promise<void> {
  if (!exists) {
    await ctx.writer.symlink(target, path);
    if (owner) await ctx.writer.setLinkOwner(path, owner);
    return;
  }
  const tmp = linkTmp(ctx, path);
  await dropLinkTmp(ctx, path);
  await ctx.writer.symlink(target, tmp);
  if (owner) await ctx.writer.setLinkOwner(tmp, owner);
  await ctx.writer.replace(tmp, path); // atomic swap of one link for another
}

