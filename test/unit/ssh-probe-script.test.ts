import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClawError } from '../../src/domain/errors.js';
import type { ManifestEntry, ProbeRequest } from '../../src/domain/facts.js';
import { content, contentOf } from '../helpers/manifest-content.js';
import { makeManifest, sameByStamps } from '../../src/shared/manifest.js';
import { LocalNode } from '../../src/transport/local.js';
import { decodeName, encodeName } from '../../src/shared/name-bytes.js';
import { manifestOf } from '../../src/transport/local-probe.js';
import { parseProbeOutput } from '../../src/transport/ssh/probe-output.js';
import { encodeProbeRequest, probeShArgs } from '../../src/transport/ssh/probe-request.js';

/** Names that would do something if a shell ever evaluated them. Run with cwd = `jail`: markers land there. */
export const HOSTILE = [
  'with space',
  "it's",
  '$(touch pwned)',
  '`touch pwned2`',
  ';rm -rf victim',
  'new\nline',
  'trailing newline\n',
  'ünïcødé-名前-🦀',
  'back\\slash',
  '-leading-dash',
  '*glob?[x]',
  '"dq" & | > <',
  '$HOME ${IFS} $$',
  ' ',
];

let root: string;
let jail: string;
let tree: string;

/** Independent expectation: a manifest computed with node:fs. */
function fsManifest(dir: string) {
  const entries: ManifestEntry[] = [];
  const walk = (d: string, prefix: string) => {
    for (const name of readdirSync(d)) {
      const p = `${d}/${name}`;
      const rel = prefix ? `${prefix}/${name}` : name;
      const st = lstatSync(p);
      const mode = st.mode & 0o7777;
      if (st.isSymbolicLink()) entries.push({ rel, kind: 'symlink', mode: 0o777, target: readlinkSync(p) });
      else if (st.isDirectory()) {
        entries.push({ rel, kind: 'dir', mode });
        walk(p, rel);
      } else if (st.isFile())
        entries.push({ rel, kind: 'file', mode, size: st.size, sha256: createHash('sha256').update(readFileSync(p)).digest('hex') });
      else entries.push({ rel, kind: 'other', mode, ...(st.isFIFO() ? { special: 'fifo' as const } : {}) });
    }
  };
  walk(dir, '');
  return makeManifest(entries);
}

function runRaw(req: ProbeRequest, opts: { asNobody?: boolean; portable?: boolean } = {}) {
  const input = encodeProbeRequest(req, { portable: Boolean(opts.portable) });
  const [cmd, args] = opts.asNobody
    ? ['setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '/bin/sh', ...probeShArgs()]]
    : ['/bin/sh', probeShArgs()];
  const out = execFileSync(cmd as string, args as string[], { input, cwd: jail, maxBuffer: 1 << 28 });
  return parseProbeOutput(req, out, 'local');
}

/** The probe's answer, manifests as content (see `content`). */
function runLocal(req: ProbeRequest, opts: { asNobody?: boolean; portable?: boolean } = {}) {
  return contentOf(runRaw(req, opts));
}

function assertInert() {
  expect(readdirSync(jail).sort()).toEqual(['victim']);
  expect(existsSync(`${jail}/victim/keep`)).toBe(true);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'clawfleet-probe-'));
  chmodSync(root, 0o755);
  jail = `${root}/jail`;
  mkdirSync(`${jail}/victim`, { recursive: true });
  writeFileSync(`${jail}/victim/keep`, 'x');
  tree = `${root}/tree`;
  mkdirSync(`${tree}/sub/deeper`, { recursive: true });
  for (const n of HOSTILE) {
    writeFileSync(`${tree}/${n}`, `content of ${n}\n`);
    mkdirSync(`${tree}/sub/${n}`);
    writeFileSync(`${tree}/sub/${n}/f ${n}`, n);
    symlinkSync(`../${n}`, `${tree}/sub/deeper/${n}`);
  }
  writeFileSync(`${tree}/empty`, '');
  writeFileSync(`${tree}/binary`, Buffer.from([0, 1, 2, 255, 0, 10, 0]));
  writeFileSync(`${tree}/secret`, 'token', { mode: 0o600 });
  chmodSync(`${tree}/secret`, 0o600);
  writeFileSync(`${tree}/suid`, '#!/bin/sh\n');
  chmodSync(`${tree}/suid`, 0o4755);
  mkdirSync(`${tree}/sgid`);
  chmodSync(`${tree}/sgid`, 0o2750);
  mkdirSync(`${tree}/sticky`);
  chmodSync(`${tree}/sticky`, 0o1777);
  symlinkSync('/etc', `${tree}/abs-link-to-dir`);
  symlinkSync('does/not/exist', `${tree}/dangling`);
  symlinkSync('target\nwith newline', `${tree}/nl-target`);
  symlinkSync('sub', `${tree}/rel-link-to-dir`);
  execFileSync('mkfifo', [`${tree}/fifo`]);
  writeFileSync(`${tree}/config.json`, '{ "name": "ünïcødé", "x": 1 }\n');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('probe script (run by local /bin/sh)', () => {
  it('names that are not UTF-8 travel as bytes: in the request, in manifests and stats, as the local transport reads them', async () => {
    const dir = `${root}/bytes`;
    const odd = Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('\n.md')]);
    mkdirSync(Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xff])]), { recursive: true });
    writeFileSync(odd, 'x');
    const oddPath = decodeName(odd);
    const res = runLocal({ stat: [oddPath], manifest: [dir, decodeName(Buffer.concat([Buffer.from(`${dir}/d`), Buffer.from([0xff])]))] });
    expect(res.stat[oddPath]).toMatchObject({ kind: 'file', size: 1 });
    const local = content(await manifestOf(dir, (t) => t));
    expect(res.manifest[dir]).toEqual(local);
    expect(res.manifest[dir]!.entries.map((e) => encodeName(e.rel).toString('hex')).sort()).toEqual(
      [Buffer.from('caf\u00e9\n.md', 'latin1'), Buffer.from([0x64, 0xff])].map((b) => b.toString('hex')).sort(),
    );
  });

  it('builds manifests identical to a node:fs walk, hostile names included', () => {
    const res = runLocal({ manifest: [tree, `${tree}/sub`, `${tree}/sub/${HOSTILE[2]}`] });
    const want = fsManifest(tree);
    expect(res.manifest[tree]).toEqual(want);
    expect(res.manifest[`${tree}/sub`]).toEqual(fsManifest(`${tree}/sub`));
    expect(res.manifest[`${tree}/sub/${HOSTILE[2]}`]).toEqual(fsManifest(`${tree}/sub/${HOSTILE[2]}`));
    const rels = want.entries.map((e) => e.rel);
    for (const n of HOSTILE) expect(rels).toContain(n);
    expect(want.entries.find((e) => e.rel === 'fifo')?.kind).toBe('other');
    expect(want.entries.find((e) => e.rel === 'suid')?.mode).toBe(0o4755);
    assertInert();
  });

  it('answers the same with GNU find -printf and with the portable stat/readlink path', () => {
    const req: ProbeRequest = {
      stat: [tree, `${tree}/fifo`, `${tree}/suid`, `${tree}/sgid`, `${tree}/sticky`, `${tree}/dangling`, `${tree}/nl-target`, `${tree}/nope`, ...HOSTILE.map((n) => `${tree}/${n}`)],
      manifest: [tree, `${tree}/sub`],
      list: [tree, `${tree}/sub/deeper`],
      read: [`${tree}/config.json`],
    };
    expect(encodeProbeRequest(req)).toContain('\nfind detect\n');
    expect(encodeProbeRequest(req, { portable: true })).toContain('\nfind portable\n');
    const fast = runLocal(req);
    expect(fast.manifest[tree]).toEqual(fsManifest(tree));
    expect(runLocal(req, { portable: true })).toEqual(fast);
    assertInert();
  });

  it('stats every kind without following symlinks', () => {
    const req = {
      stat: [tree, `${tree}/secret`, `${tree}/abs-link-to-dir`, `${tree}/nl-target`, `${tree}/fifo`, `${tree}/missing`, `${tree}/secret/under-a-file`, `${tree}/sticky/`, ...HOSTILE.map((n) => `${tree}/${n}`)],
    };
    const res = runLocal(req);
    const ids = (p: string) => ({ uid: lstatSync(p).uid, gid: lstatSync(p).gid });
    expect(res.stat[tree]).toEqual({ kind: 'dir', mode: lstatSync(tree).mode & 0o7777, ...ids(tree) });
    expect(res.stat[`${tree}/secret`]).toEqual({ kind: 'file', mode: 0o600, size: 5, sha256: createHash('sha256').update('token').digest('hex'), ...ids(`${tree}/secret`) });
    expect(res.stat[`${tree}/abs-link-to-dir`]).toEqual({ kind: 'symlink', target: '/etc' });
    expect(res.stat[`${tree}/nl-target`]).toEqual({ kind: 'symlink', target: 'target\nwith newline' });
    expect(res.stat[`${tree}/fifo`]).toEqual({ kind: 'other', mode: lstatSync(`${tree}/fifo`).mode & 0o7777, special: 'fifo', ...ids(`${tree}/fifo`) });
    expect(res.stat[`${tree}/missing`]).toEqual({ kind: 'missing' });
    expect(res.stat[`${tree}/secret/under-a-file`]).toEqual({ kind: 'missing' });
    expect(res.stat[`${tree}/sticky/`]).toEqual({ kind: 'dir', mode: 0o1777, ...ids(`${tree}/sticky`) });
    for (const n of HOSTILE) {
      const body = `content of ${n}\n`;
      expect(res.stat[`${tree}/${n}`]).toEqual({ kind: 'file', mode: 0o644, size: Buffer.byteLength(body), sha256: createHash('sha256').update(body).digest('hex'), ...ids(`${tree}/${n}`) });
    }
    assertInert();
  });

  it('lists children sorted by name with lstat kinds; null for non-dirs', () => {
    const res = runLocal({ list: [tree, `${tree}/rel-link-to-dir`, `${tree}/secret`, `${tree}/missing`, `${tree}/sub/deeper`] });
    const want = readdirSync(tree)
      .sort()
      .map((name) => {
        const st = lstatSync(`${tree}/${name}`);
        return { name, kind: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other' };
      });
    expect(res.list[tree]).toEqual(want);
    expect(res.list[`${tree}/rel-link-to-dir`]).toBeNull();
    expect(res.list[`${tree}/secret`]).toBeNull();
    expect(res.list[`${tree}/missing`]).toBeNull();
    expect(res.list[`${tree}/sub/deeper`]).toEqual([...HOSTILE].sort().map((name) => ({ name, kind: 'symlink' })));
    assertInert();
  });

  it('reads regular files as UTF-8; null for anything else', () => {
    const res = runLocal({ read: [`${tree}/config.json`, `${tree}/empty`, `${tree}/${HOSTILE[5]}`, tree, `${tree}/abs-link-to-dir`, `${tree}/missing`, `${tree}/fifo`] });
    expect(res.read[`${tree}/config.json`]).toBe('{ "name": "ünïcødé", "x": 1 }\n');
    expect(res.read[`${tree}/empty`]).toBe('');
    expect(res.read[`${tree}/${HOSTILE[5]}`]).toBe(`content of ${HOSTILE[5]}\n`);
    expect(res.read[tree]).toBeNull();
    expect(res.read[`${tree}/abs-link-to-dir`]).toBeNull();
    expect(res.read[`${tree}/missing`]).toBeNull();
    expect(res.read[`${tree}/fifo`]).toBeNull();
    assertInert();
  });

  it('gives the same answers as the local transport', async () => {
    const req: ProbeRequest = {
      stat: [tree, `${tree}/secret`, `${tree}/dangling`, `${tree}/missing`],
      manifest: [tree, `${tree}/secret`],
      list: [tree],
      read: [`${tree}/config.json`, tree],
    };
    const local = contentOf(await new LocalNode({ node: 'local' }).probe(req));
    expect(runLocal(req)).toEqual(local);
  });

  it('stamps files (GNU find and the local transport alike) and answers a stat-only walk that tells an unchanged tree from a written one', async () => {
    const dir = `${root}/stamped`;
    mkdirSync(`${dir}/sub`, { recursive: true });
    writeFileSync(`${dir}/a.jsonl`, 'one\n');
    writeFileSync(`${dir}/sub/b.bin`, Buffer.alloc(4096));
    execFileSync('touch', ['-d', '@1700000000', `${dir}/a.jsonl`, `${dir}/sub/b.bin`]); // mtime only; ctime is now
    const full = runRaw({ manifest: [dir] }).manifest[dir]!;
    const local = (await new LocalNode({ node: 'local' }).probe({ manifest: [dir] })).manifest[dir]!;
    for (const m of [full, local]) {
      expect(m.at).toBeGreaterThan(1_700_000_000);
      const files = m.entries.filter((e) => e.kind === 'file');
      expect(files.map((e) => e.stamp?.split(':').slice(0, 2).join(':'))).toEqual(files.map((e) => {
        const st = lstatSync(`${dir}/${e.rel}`);
        return `${st.dev}:${st.ino}`;
      }));
      expect(files.every((e) => e.sha256)).toBe(true);
    }
    const quick = runRaw({ quick: [dir] }).quick![dir]!;
    expect(quick.entries.filter((e) => e.kind === 'file').every((e) => e.stamp && !e.sha256)).toBe(true);
    // Hashed just now: the stamps are too fresh to stand for the content (a write in the same tick).
    expect(sameByStamps(full, quick)).toBe(false);
    const aged = { ...full, at: full.at! + 5 };
    expect(sameByStamps(aged, quick)).toBe(true);
    expect(sameByStamps({ ...local, at: local.at! + 5 }, (await new LocalNode({ node: 'local' }).probe({ quick: [dir] })).quick![dir]!)).toBe(true);
    // An append (same size is not needed: ctime moves) or a file swapped for another is a change.
    writeFileSync(`${dir}/a.jsonl`, 'two\n');
    expect(sameByStamps(aged, runRaw({ quick: [dir] }).quick![dir]!)).toBe(false);
    expect(runRaw({ quick: [`${dir}/a.jsonl`] }).quick![`${dir}/a.jsonl`]).toBeNull();
    // The portable path hashes instead: no stamps, never reused.
    const portable = runRaw({ manifest: [dir] }, { portable: true }).manifest[dir]!;
    expect(portable.entries.some((e) => e.stamp)).toBe(false);
    expect(sameByStamps({ ...portable, at: 2e9 }, runRaw({ quick: [dir] }).quick![dir]!)).toBe(false);
  });

  it('handles many paths in one script on a big tree (its speed is measured by scripts/bench, not here)', () => {
    const big = `${root}/big`;
    for (let d = 0; d < 50; d++) {
      mkdirSync(`${big}/d${d}`, { recursive: true });
      for (let f = 0; f < 60; f++) writeFileSync(`${big}/d${d}/f${f}`, `${d}/${f}`);
    }
    const dirs = Array.from({ length: 50 }, (_, d) => `${big}/d${d}`);
    const res = runLocal({ stat: dirs, list: dirs, manifest: [big, ...dirs] });
    expect(res.manifest[big]?.entries).toHaveLength(50 * 61);
    expect(res.manifest[big]).toEqual(fsManifest(big));
    expect(res.manifest[dirs[7]!]?.entries).toHaveLength(60);
    expect(res.list[dirs[3]!]).toHaveLength(60);
  });

  // needs root (to run the probe as nobody): reported as skipped in the unit tier when not root, never passed blind
  it.skipIf(spawnSync('setpriv', ['--version']).status !== 0 || process.getuid?.() !== 0)('reports a path below an unsearchable dir as EACCES, not missing (run as nobody)', () => {
    const priv = `${root}/priv`;
    mkdirSync(`${priv}/locked/inner`, { recursive: true });
    writeFileSync(`${priv}/locked/f`, 'x');
    chmodSync(priv, 0o755);
    chmodSync(`${priv}/locked`, 0o700);
    const probe = (req: ProbeRequest) => {
      try {
        return runLocal(req, { asNobody: true });
      } catch (e) {
        return e as ClawError;
      }
    };
    for (const req of [{ stat: [`${priv}/locked/f`] }, { read: [`${priv}/locked/f`] }, { manifest: [priv] }, { list: [`${priv}/locked`] }]) {
      const r = probe(req);
      expect(r).toBeInstanceOf(ClawError);
      expect((r as ClawError).code).toBe('EACCES');
      expect((r as ClawError).node).toBe('local');
      expect((r as ClawError).oneLine()).not.toContain('\n');
    }
    // A missing path under a searchable dir is just missing.
    expect(probe({ stat: [`${priv}/nope/x`] })).toEqual({ stat: { [`${priv}/nope/x`]: { kind: 'missing' } }, manifest: {}, list: {}, read: {} });
  });

  it('rejects truncated or foreign output and relative paths', () => {
    const req = { stat: ['/x'] };
    expect(() => parseProbeOutput(req, 'motd text\n')).toThrow(/no output/);
    expect(() => parseProbeOutput(req, 'CLAWPROBE1\0=S\0M\0/x\0')).toThrow(/truncated/);
    expect(() => encodeProbeRequest({ stat: ['relative/path'] })).toThrow(ClawError);
    // Output after a login banner is still found.
    expect(parseProbeOutput(req, 'Welcome!\nCLAWPROBE1\0=S\0N\0/x\0=Z\0').stat['/x']).toEqual({ kind: 'missing' });
  });
});
