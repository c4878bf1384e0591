import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { ClawError } from '../domain/errors.js';

/** The fleet secret's default home: $XDG_CONFIG_HOME/clawfleet/fleet-secret (operator side, never on a node). */
export function defaultSecretFile(): string {
  const base = process.env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(base, 'clawfleet', 'fleet-secret');
}

/**
 * The HMAC key of the credential fingerprints: created (32 random bytes, mode 0600, exclusive create) on first
 * use; refused when group or others can read it, like OpenSSH refuses a private key. Never printed.
 */
export async function loadFleetSecret(file: string): Promise<Buffer> {
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new ClawError('SECRET', `cannot read the fleet secret: ${(e as NodeJS.ErrnoException).code}`, { path: file });
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    try {
      const h = await open(file, 'wx', 0o600);
      await h.writeFile(randomBytes(32).toString('hex') + '\n');
      await h.sync();
      await h.close();
    } catch (e2) {
      if ((e2 as NodeJS.ErrnoException).code !== 'EEXIST') throw new ClawError('SECRET', `cannot create the fleet secret: ${(e2 as NodeJS.ErrnoException).code}`, { path: file });
    }
    st = await stat(file);
  }
  if (!st.isFile()) throw new ClawError('SECRET', 'the fleet secret is not a regular file', { path: file });
  if ((st.mode & 0o077) !== 0) throw new ClawError('SECRET', `the fleet secret is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`, { path: file });
  const text = (await readFile(file, 'utf8')).trim();
  if (text.length < 32) throw new ClawError('SECRET', 'the fleet secret is shorter than 32 characters', { path: file });
  return Buffer.from(text, 'utf8');
}
