// System tier: shellcheck finds nothing in probe.sh (shellcheck is installed by `npm run test:setup`, i.e.
// scripts/test-fleet.sh install, as root; the unit tier needs neither). probe-sh.test.ts has the rest.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PROBE = fileURLToPath(new URL('../../src/transport/ssh/probe.sh', import.meta.url));

describe('probe.sh', () => {
  it('is clean under shellcheck (installed by scripts/test-fleet.sh install)', () => {
    const found = spawnSync('shellcheck', ['--version']);
    expect(found.error, 'shellcheck is missing: run npm run test:setup (apt-get install shellcheck)').toBeUndefined();
    const r = spawnSync('shellcheck', ['--shell=sh', '--severity=style', PROBE], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
