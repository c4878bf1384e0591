import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHostKey,
  fingerprint,
  formatKnownHostsLine,
  keyTypeOfBlob,
  knownKeyTypes,
  parseKnownHosts,
} from '../../src/transport/ssh/known-hosts.js';

let dir: string;
interface Key {
  type: string;
  b64: string;
  blob: Buffer;
  pub: string;
}
const keys: Record<string, Key> = {};

function genKey(name: string, type: string): Key {
  const f = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'test', '-f', f]);
  const [t, b64] = readFileSync(`${f}.pub`, 'utf8').trim().split(/\s+/);
  return { type: t!, b64: b64!, blob: Buffer.from(b64!, 'base64'), pub: `${f}.pub` };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'clawfleet-kh-'));
  keys.a = genKey('a', 'ed25519');
  keys.b = genKey('b', 'ed25519');
  keys.e = genKey('e', 'ecdsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('known_hosts', () => {
  it('reads the key type from the wire-format blob', () => {
    expect(keyTypeOfBlob(keys.a!.blob)).toBe('ssh-ed25519');
    expect(keyTypeOfBlob(keys.e!.blob)).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOfBlob(Buffer.from([0, 0]))).toBeNull();
  });

  it('fingerprint equals ssh-keygen -lf', () => {
    for (const k of Object.values(keys)) {
      const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', k.pub], { encoding: 'utf8' });
      expect(fingerprint(k.blob)).toBe(out.split(/\s+/)[1]);
    }
  });

  it('matches plain names, comma lists and wildcards case-insensitively', () => {
    const a = keys.a!;
    const text = `# comment\n\nweb1,web2.example.com,10.0.0.5 ${a.type} ${a.b64} comment here\n*.lab,!bad.lab ${a.type} ${a.b64}\n`;
    expect(checkHostKey(text, 'web1', 22, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, 'WEB2.example.com', 22, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, '10.0.0.5', 22, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, 'x.lab', 22, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, 'bad.lab', 22, a.type, a.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(text, 'web3', 22, a.type, a.blob)).toEqual({ status: 'unknown' });
    // A plain name only covers port 22.
    expect(checkHostKey(text, 'web1', 2222, a.type, a.blob)).toEqual({ status: 'unknown' });
  });

  it('matches [host]:port entries only on that port', () => {
    const a = keys.a!;
    const text = `[node1]:2222 ${a.type} ${a.b64}\n`;
    expect(checkHostKey(text, 'node1', 2222, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, 'node1', 22, a.type, a.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(text, 'node1', 2223, a.type, a.blob)).toEqual({ status: 'unknown' });
  });

  it('matches hashed entries written by ssh-keygen -H', () => {
    const a = keys.a!;
    const f = join(dir, 'known_hosts_hashed');
    writeFileSync(f, `node7 ${a.type} ${a.b64}\n[127.0.0.60]:2260 ${a.type} ${a.b64}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    expect(text).not.toContain('node7');
    expect(text.split('\n').filter((l) => l.startsWith('|1|'))).toHaveLength(2);
    expect(checkHostKey(text, 'node7', 22, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, '127.0.0.60', 2260, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, '127.0.0.60', 22, a.type, a.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(text, 'node8', 22, a.type, a.blob)).toEqual({ status: 'unknown' });
    expect(checkHostKey(text, 'node7', 22, keys.b!.type, keys.b!.blob)).toEqual({ status: 'changed' });
  });

  it('matches a hashed entry computed independently (HMAC-SHA1 keyed with the salt)', () => {
    const a = keys.a!;
    const salt = Buffer.alloc(20, 7);
    const h = createHmac('sha1', salt).update('[srv]:2022').digest('base64');
    const text = `|1|${salt.toString('base64')}|${h} ${a.type} ${a.b64}\n`;
    expect(checkHostKey(text, 'srv', 2022, a.type, a.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(text, 'srv', 22, a.type, a.blob)).toEqual({ status: 'unknown' });
  });

  it('reports a changed key of the same type, unknown when only other types are known', () => {
    const { a, b, e } = keys as Required<typeof keys>;
    const text = `node1 ${a!.type} ${a!.b64}\n`;
    expect(checkHostKey(text, 'node1', 22, b!.type, b!.blob)).toEqual({ status: 'changed' });
    expect(checkHostKey(text, 'node1', 22, e!.type, e!.blob)).toEqual({ status: 'unknown' });
    // Any listed key of the host is accepted.
    const two = `${text}node1 ${b!.type} ${b!.b64}\n`;
    expect(checkHostKey(two, 'node1', 22, b!.type, b!.blob)).toEqual({ status: 'match' });
    expect(knownKeyTypes(`${text}node1 ${e!.type} ${e!.b64}\n`, 'node1', 22)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  });

  it('refuses @revoked keys; a host covered only by @cert-authority gets its own verdict (no host certificates in ssh2)', () => {
    const { a, b } = keys;
    const revoked = `node1 ${a!.type} ${a!.b64}\n@revoked * ${a!.type} ${a!.b64}\n`;
    expect(checkHostKey(revoked, 'node1', 22, a!.type, a!.blob)).toEqual({ status: 'revoked' });
    expect(checkHostKey(revoked, 'other', 2200, a!.type, a!.blob)).toEqual({ status: 'revoked' });
    const ca = `@cert-authority node1 ${b!.type} ${b!.b64}\n`;
    expect(checkHostKey(ca, 'node1', 22, b!.type, b!.blob)).toEqual({ status: 'cert-authority' });
    expect(checkHostKey(`@cert-authority *.lab ${b!.type} ${b!.b64}\n`, 'web.lab', 22, a!.type, a!.blob)).toEqual({ status: 'cert-authority' });
    expect(checkHostKey(ca, 'node2', 22, b!.type, b!.blob)).toEqual({ status: 'unknown' });
    // The host's own key, when known_hosts also holds it, is checked as ever.
    expect(checkHostKey(`${ca}node1 ${a!.type} ${a!.b64}\n`, 'node1', 22, a!.type, a!.blob)).toEqual({ status: 'match' });
    expect(checkHostKey(`${ca}node1 ${a!.type} ${a!.b64}\n`, 'node1', 22, b!.type, b!.blob)).toEqual({ status: 'changed' });
    expect(parseKnownHosts(ca)[0]?.marker).toBe('cert-authority');
  });

  it('skips malformed lines', () => {
    const a = keys.a!;
    const text = `garbage\nnode1 ssh-ed25519 !!!notbase64\n@weird node1 ${a.type} ${a.b64}\nnode1 ${a.type} ${a.b64}\n`;
    expect(parseKnownHosts(text)).toHaveLength(1);
    expect(checkHostKey(text, 'node1', 22, a.type, a.blob)).toEqual({ status: 'match' });
  });

  it('formats lines that match back (plain and hashed) and that ssh-keygen -F finds', () => {
    const a = keys.a!;
    const plain = formatKnownHostsLine('127.0.0.60', 2260, a.type, a.blob);
    expect(plain).toBe(`[127.0.0.60]:2260 ${a.type} ${a.b64}`);
    expect(formatKnownHostsLine('h', 22, a.type, a.blob)).toBe(`h ${a.type} ${a.b64}`);
    const hashed = formatKnownHostsLine('127.0.0.60', 2260, a.type, a.blob, { hash: true });
    expect(hashed.startsWith('|1|')).toBe(true);
    for (const line of [plain, hashed]) {
      expect(checkHostKey(line + '\n', '127.0.0.60', 2260, a.type, a.blob)).toEqual({ status: 'match' });
      const f = join(dir, 'kh_fmt');
      writeFileSync(f, line + '\n');
      const found = execFileSync('ssh-keygen', ['-F', '[127.0.0.60]:2260', '-f', f], { encoding: 'utf8' });
      expect(found).toContain(a.b64);
    }
  });
});
