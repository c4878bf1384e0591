import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import picomatch from 'picomatch';

/**
 * OpenSSH known_hosts handling (ssh2 reads no known_hosts of its own): plain and comma-listed host patterns
 * (with `*`, `?` and `!negation`), `[host]:port` entries, hashed `|1|salt|hmac` entries, `@revoked`
 * (refused whatever the host) and `@cert-authority` markers, comments. ssh2 cannot verify host certificates
 * (it offers no `*-cert-v01@openssh.com` host key algorithm), so a host that known_hosts trusts only through
 * a `@cert-authority` line gets its own verdict, refused with that reason, never the generic "unknown".
 */

export type HostKeyStatus = { status: 'match' } | { status: 'unknown' } | { status: 'changed' } | { status: 'revoked' } | { status: 'cert-authority' };

export interface KnownHostsLine {
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** The key type embedded at the start of an SSH wire-format public key blob ("ssh-ed25519"). */
export function keyTypeOfBlob(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > blob.length) return null;
  const t = blob.subarray(4, 4 + len).toString('latin1');
  return /^[\x21-\x7e]+$/.test(t) ? t : null;
}

/** `SHA256:<base64 without padding>` as `ssh-keygen -lf` and `ssh` print it. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/** The host string OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The last text parsed and its lines: every node of a fleet run checks against the same known_hosts. */
let parsed: { text: string; lines: KnownHostsLine[] } | undefined;

export function parseKnownHosts(text: string): KnownHostsLine[] {
  if (parsed?.text === text) return parsed.lines;
  const lines = parseKnownHostsText(text);
  parsed = { text, lines };
  return lines;
}

function parseKnownHostsText(text: string): KnownHostsLine[] {
  const out: KnownHostsLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(/\s+/);
    let marker: KnownHostsLine['marker'] = null;
    if (f[0]?.startsWith('@')) {
      const m = f.shift()!.toLowerCase();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else continue; // unknown marker: OpenSSH skips the line
    }
    const [hosts, keyType, b64] = f;
    if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) continue;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) continue;
    out.push({ marker, hosts, keyType, key });
  }
  return out;
}

/**
 * OpenSSH's pattern rules through picomatch: `*` any run, `?` one char, whole-string, case-insensitive; every
 * other character literal (`[host]:port` is not a bracket class; `!` negation is handled by the caller).
 */
const SSH_PATTERN = { nocase: true, dot: true, nobracket: true, noextglob: true, nobrace: true, nonegate: true, noglobstar: true } as const;
const globs = new Map<string, (s: string) => boolean>();

function globMatch(pattern: string, s: string): boolean {
  let m = globs.get(pattern);
  if (!m) globs.set(pattern, (m = picomatch(pattern, SSH_PATTERN)));
  return m(s);
}

function hashedMatch(field: string, name: string): boolean {
  const parts = field.split('|'); // ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const want = Buffer.from(parts[3]!, 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** Does a known_hosts host field apply to `name` (already in `[host]:port` form when needed)? */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith('|')) return hashedMatch(field, name) || hashedMatch(field, name.toLowerCase());
  let positive = false;
  for (const p of field.split(',')) {
    if (!p) continue;
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) positive = true;
  }
  return positive;
}

/** ECDSA curves count as one key type (like OpenSSH's plain key types); everything else by its name. */
function keyFamily(t: string): string {
  return t.startsWith('ecdsa-sha2-') ? 'ecdsa' : t;
}

/**
 * Verdict on a host key offered by `host:port`. `revoked` when any `@revoked` line holds this key, `match` when a
 * line for this host holds it, `changed` when lines for this host hold only other keys of the same type,
 * `cert-authority` when only a `@cert-authority` line covers this host, `unknown` otherwise.
 */
export function checkHostKey(knownHostsText: string, host: string, port: number, keyType: string, keyBlob: Buffer): HostKeyStatus {
  const name = knownHostsName(host, port);
  const lines = parseKnownHosts(knownHostsText);
  if (lines.some((l) => l.marker === 'revoked' && l.key.equals(keyBlob))) return { status: 'revoked' };
  const family = keyFamily(keyTypeOfBlob(keyBlob) ?? keyType);
  let sameTypeOther = false;
  for (const l of lines) {
    if (l.marker !== null) continue;
    if (!hostFieldMatches(l.hosts, name)) continue;
    if (l.key.equals(keyBlob)) return { status: 'match' };
    if (keyFamily(keyTypeOfBlob(l.key) ?? l.keyType) === family) sameTypeOther = true;
  }
  if (sameTypeOther) return { status: 'changed' };
  if (lines.some((l) => l.marker === 'cert-authority' && hostFieldMatches(l.hosts, name))) return { status: 'cert-authority' };
  return { status: 'unknown' };
}

/** Key types the known_hosts text already holds for `host:port` (to prefer them in the handshake). */
export function knownKeyTypes(knownHostsText: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = new Set<string>();
  for (const l of parseKnownHosts(knownHostsText)) {
    if (l.marker === null && hostFieldMatches(l.hosts, name)) types.add(keyTypeOfBlob(l.key) ?? l.keyType);
  }
  return [...types];
}

/** One known_hosts line (no newline) for a key the user chose to trust; `hash` writes a `|1|` host field. */
export function formatKnownHostsLine(host: string, port: number, keyType: string, keyBlob: Buffer, opts: { hash?: boolean } = {}): string {
  let name = knownHostsName(host, port);
  if (opts.hash) {
    const salt = randomBytes(20);
    name = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${name} ${keyType} ${keyBlob.toString('base64')}`;
}
