// probe.sh is a real POSIX sh file: it parses (`sh -n`, dash and bash --posix; shellcheck, installed as root,
// checks it in the system tier: test/integration/probe-shellcheck.test.ts), and it takes its request as data:
// the command that runs it is the same whatever the request.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseProbeOutput } from '../../src/transport/ssh/probe-output.js';
import { encodeProbeRequest, probeCommand } from '../../src/transport/ssh/probe-request.js';
import { RECORD } from '../../src/transport/ssh/probe-records.js';

const PROBE = fileURLToPath(new URL('../../src/transport/ssh/probe.sh', import.meta.url));

describe('probe.sh', () => {
  it('parses with sh -n (dash) and bash --posix -n', () => {
    for (const [sh, args] of [['/bin/sh', ['-n']], ['bash', ['--posix', '-n']]] as const) {
      const r = spawnSync(sh, [...args, PROBE], { encoding: 'utf8' });
      expect(r.status, `${sh}: ${r.stderr}`).toBe(0);
    }
  });

  it('never holds find\'s placeholder (find refuses an -exec argument holding it twice)', () => {
    expect(readFileSync(PROBE, 'utf8')).not.toContain('{}');
  });

  it('runs the same command whatever the request; paths travel on stdin, newlines escaped', () => {
    const cmd = probeCommand();
    const hostile = ["/x/$(touch pwned)", "/x/it's", '/x/new\nline', '/x/back\\slash\nand newline'];
    const req = encodeProbeRequest({ stat: hostile, read: ['/etc/hostname'] });
    expect(probeCommand()).toBe(cmd);
    for (const p of hostile) expect(cmd).not.toContain(p);
    expect(req.split('\n')).toEqual(['lines', 'find detect', 'S', "/x/$(touch pwned)", "/x/it's", '%/x/new\\nline', '%/x/back\\\\slash\\nand newline', 'L', 'M', 'Q', 'R', '/etc/hostname', 'Z', '']);
  });

  it('prints every record kind it documents, and only those (probe-records.ts)', () => {
    const text = readFileSync(PROBE, 'utf8');
    const printed = new Set([...text.matchAll(/printf '([A-Z])\\000/g)].map((m) => m[1]));
    expect([...printed].sort()).toEqual(Object.values(RECORD).map((r) => r.tag).sort());
  });

  it('answers a request read from stdin when run as a file (sh probe.sh <request)', () => {
    for (const how of ['lines', 'whole']) {
      const out = execFileSync('/bin/sh', [PROBE], { input: `${how}\nfind portable\nS\n/\nL\nM\nR\nZ\n` }).toString('latin1');
      expect(out.startsWith('CLAWPROBE1\0=S\0M\0/\0')).toBe(true);
      expect(out.endsWith('=R\0=Z\0')).toBe(true);
    }
  });

  it('reads a file that vanishes between its test and its read as missing, not "permission denied"', () => {
    // A lock's holder.json is removed by its run's release while another run reads it: here a base64 on PATH
    // removes the file before failing, as the release does between the script's `[ -f ]` and its read.
    const dir = mkdtempSync(path.join(tmpdir(), 'probe-race-'));
    try {
      const file = path.join(dir, 'holder.json');
      writeFileSync(file, '{}\n');
      mkdirBin(dir, 'base64', `#!/bin/sh\nrm -f -- '${file}'\nexit 1\n`);
      const req = { read: [file] };
      const out = execFileSync('/bin/sh', [PROBE], { input: encodeProbeRequest(req), env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` } });
      expect(parseProbeOutput(req, out).read[file]).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a file that vanished and is back (a lock released and taken again) again, not as unreadable', () => {
    // Between the test and the read, the lock's run released it (holder.json gone) and a racer took it (a new
    // holder.json): the first read fails though the path is a readable regular file again.
    const dir = mkdtempSync(path.join(tmpdir(), 'probe-race-'));
    try {
      const file = path.join(dir, 'holder.json');
      writeFileSync(file, '{"runId":"old"}\n');
      const real = execFileSync('/bin/sh', ['-c', 'command -v base64']).toString().trim();
      mkdirBin(dir, 'base64', `#!/bin/sh\nif [ ! -e '${dir}/once' ]; then : >'${dir}/once'; rm -f -- '${file}'; echo '{"runId":"new"}' >'${file}'; exit 1; fi\nexec '${real}' "$@"\n`);
      const req = { read: [file] };
      const out = execFileSync('/bin/sh', [PROBE], { input: encodeProbeRequest(req), env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` } });
      expect(parseProbeOutput(req, out).read[file]).toBe('{"runId":"new"}\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function mkdirBin(dir: string, name: string, text: string): void {
  execFileSync('mkdir', ['-p', `${dir}/bin`]);
  writeFileSync(`${dir}/bin/${name}`, text);
  chmodSync(`${dir}/bin/${name}`, 0o755);
}
