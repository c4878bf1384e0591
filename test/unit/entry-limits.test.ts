import { describe, expect, it } from 'vitest';
import type { ManifestEntry } from '../../src/domain/facts.js';
import { makeManifest } from '../../src/shared/manifest.js';
import { decodeName } from '../../src/shared/name-bytes.js';
import { entryProblem, NODE_PATH_MAX } from '../../src/planner/entry-limits.js';

const SLOT = '/root/.openclaw/agents/assistant/sessions';
const TARGET = '/openclaw-data/agents/assistant/sessions';
const file = (rel: string): ManifestEntry => ({ rel, kind: 'file', mode: 0o600, size: 1, sha256: 'a'.repeat(64) });

describe('plan-time refusals for entries of a dir that becomes a link (planner/entry-limits.ts)', () => {
  it('moves FIFOs, refuses sockets and devices, naming the entry', () => {
    expect(entryProblem(SLOT, TARGET, makeManifest([file('a'), { rel: 'p', kind: 'other', mode: 0o644, special: 'fifo' }]))).toBeNull();
    expect(entryProblem(SLOT, TARGET, makeManifest([{ rel: 'gw.sock', kind: 'other', mode: 0o755, special: 'socket' }]))).toEqual({
      path: `${SLOT}/gw.sock`,
      message: expect.stringContaining('is a socket'),
    });
    expect(entryProblem(SLOT, TARGET, makeManifest([{ rel: 'null', kind: 'other', mode: 0o666, special: 'char-device' }]))?.message).toContain('is a char device');
  });

  it('refuses a path the copy could not name on the node, counting bytes, not characters', () => {
    const deep = Array.from({ length: 40 }, () => 'd'.repeat(100)).join('/'); // 4039 bytes
    const fits = makeManifest([file(deep.slice(0, 3900))]);
    expect(entryProblem(SLOT, TARGET, fits)).toBeNull();
    const p = entryProblem(SLOT, TARGET, makeManifest([file(deep)]));
    expect(p?.path).toBe(`${SLOT}/${deep}`);
    expect(p?.message).toMatch(new RegExp(`path too long for the node: .* \\d+ bytes, the node's limit is ${NODE_PATH_MAX - 1}`));
    // 1,320 two-byte characters (2,640 bytes) and 1,400 more: 2,721 characters, 4,041 bytes
    const wide = `${'é'.repeat(1320)}/${'x'.repeat(1400)}`;
    expect(entryProblem(SLOT, TARGET, makeManifest([file(wide)]))).not.toBeNull();
    const bytes = decodeName(Buffer.alloc(2030, 0xff)) + '/' + 'x'.repeat(2030); // 4061 bytes, 4061 chars
    expect(entryProblem(SLOT, TARGET, makeManifest([file(bytes)]))).not.toBeNull();
  });
});
