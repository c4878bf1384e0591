import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ClawError } from '../domain/errors.js';
import { emptyState, type WatchState } from './state-types.js';

/** $XDG_STATE_HOME/clawfleet/watch-<hash of the inventory's absolute path>.json (default ~/.local/state). */
export function defaultStateFile(inventory: string): string {
  const base = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  const id = createHash('sha256').update(resolve(inventory)).digest('hex').slice(0, 12);
  return join(base, 'clawfleet', `watch-${id}.json`);
}

export async function loadState(file: string, inventory: string): Promise<WatchState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(resolve(inventory));
    throw new ClawError('STATE', `cannot read the watch state: ${(e as NodeJS.ErrnoException).code}`, { path: file });
  }
  let s: WatchState;
  try {
    s = JSON.parse(text) as WatchState;
  } catch {
    throw new ClawError('STATE', 'the watch state is not valid JSON (move it aside to start afresh)', { path: file });
  }
  if (s?.format !== 'clawfleet-watch-state' || s.version !== 1) throw new ClawError('STATE', 'not a clawfleet watch state (version 1)', { path: file });
  return { ...emptyState(resolve(inventory)), ...s };
}

/** Temp file (0600) + fsync + rename: a crash leaves the old state or the new one, never half of one. */
export async function saveState(file: string, s: WatchState): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  const h = await open(tmp, 'wx', 0o600);
  try {
    await h.writeFile(JSON.stringify(s, null, 1) + '\n');
    await h.sync();
  } finally {
    await h.close();
  }
  await rename(tmp, file);
}

/** One watch per state file at a time (two cron runs overlapping would send the same alerts twice). */
export async function lockState(file: string): Promise<() => Promise<void>> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const lock = `${file}.lock`;
  for (let tries = 0; tries < 2; tries++) {
    try {
      const h = await open(lock, 'wx', 0o600);
      await h.writeFile(`${process.pid}\n`);
      await h.close();
      return () => unlink(lock).catch(() => undefined);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ClawError('STATE', `cannot lock the watch state: ${(e as NodeJS.ErrnoException).code}`, { path: lock });
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      let alive = false;
      try {
        alive = pid > 0 && process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (alive) throw new ClawError('STATE', `another clawfleet watch (pid ${pid}) is using this state`, { path: lock });
      await unlink(lock).catch(() => undefined); // its holder is gone
    }
  }
  throw new ClawError('STATE', 'cannot lock the watch state', { path: lock });
}
