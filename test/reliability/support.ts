// Shared by the reliability suites: running the built CLI (keeping the signal that ended it), whole-node
// snapshots with file sizes, and "bytes lost".
import { execFile } from 'node:child_process';
import { CLI } from '../helpers/run-cli.js';

export interface Cli {
  code: number;
  /** Set when the process was killed (e.g. SIGKILL by its own failpoint). */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI (run-cli.ts's CLI) with no stdin and no TTY, like CI. */
export function cli(args: string[], env: Record<string, string> = {}, timeout = 60_000): Promise<Cli> {
  const t0 = performance.now();
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, NO_COLOR: '1', CI: 'true', CLAWFLEET_FAILPOINT: '', ...env }, maxBuffer: 64 << 20, timeout, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: unknown; signal?: NodeJS.Signals | null }) | null;
        res({
          code: e ? (typeof e.code === 'number' ? e.code : 1) : 0,
          signal: e?.signal ?? null,
          stdout: String(stdout),
          stderr: String(stderr),
          ms: performance.now() - t0,
        });
      },
    );
    child.stdin?.end();
  });
}

export { snapshot, type Entry } from '../helpers/snapshot.js';
import { snapshot, type Entry } from '../helpers/snapshot.js';

/** Snapshots of several roots in one map ("<label>/<rel>"). */
export async function snapshotAll(roots: Record<string, string>, exclude?: RegExp): Promise<Map<string, Entry>> {
  const all = new Map<string, Entry>();
  for (const [label, root] of Object.entries(roots)) for (const [k, v] of await snapshot(root, exclude)) all.set(`${label}/${k}`, v);
  return all;
}

/** Human-readable differences (empty: byte-identical). */
export function differences(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const out: string[] = [];
  for (const [k, v] of before) if (after.get(k)?.sig !== v.sig) out.push(`${k}: ${v.sig} -> ${after.get(k)?.sig ?? 'missing'}`);
  for (const [k, v] of after) if (!before.has(k)) out.push(`${k}: missing -> ${v.sig}`);
  return out;
}

/** Sum of the sizes of files present before whose content or mode differs, or which are gone, after. */
export function bytesLost(before: Map<string, Entry>, after: Map<string, Entry>): number {
  let lost = 0;
  for (const [k, v] of before) if (v.sig.startsWith('file ') && after.get(k)?.sig !== v.sig) lost += v.size;
  return lost;
}

/** Total size of the files of a snapshot. */
export function bytesIn(s: Map<string, Entry>): number {
  let n = 0;
  for (const v of s.values()) n += v.size;
  return n;
}
