// Kill points, the second half (see kill-points.test.ts for what a point does and which run by default): SIGKILL
// and a cut connection inside node02's long steps, a cut connection at a sample of its write boundaries, and the
// whole fleet at once. Its own fleet (the reference nodes and node02's clones) on its own addresses, so that it
// runs beside kill-points.test.ts.
import { describe, expect, it } from 'vitest';
import { REFERENCE, CLONES, killAndRecover, node02Pick, node02Points, onClones, pick, stats, useKillPointFleet, writePoints } from './kill-points-support.js';

// kill-points-inside: 84–89 (kill-points: 81–83)
useKillPointFleet([...REFERENCE, ...CLONES.slice(1)], 84, 'kill points (inside, cut, whole fleet)');

describe('kill points over SSH: inside the long steps, cut connections, the whole fleet', () => {
  it('node02: SIGKILL and cut inside the long steps (copying a dir, writing a file, the config swap)', { timeout: 2_400_000 }, async () => {
    const points = node02Points();
    // copyEntries/copyTree: cp -a under way; adoptEntries: the copy's entries being moved in; writeFileExclusive: a half-written lock holder, backup or config candidate;
    // replace: the config candidate is complete and the rename was just sent.
    const inside = points.flatMap((p, i) => (/^(copyEntries|adoptEntries|copyTree|writeFileExclusive|replace) /.test(p) ? [i + 1] : []));
    expect(inside.length).toBeGreaterThan(15);
    await onClones(
      node02Pick(inside).flatMap((k) => [`node02:kill-in-write:${k}`, `node02:cut-in-write:${k}`]),
      (fp) => (fp.includes('kill-') ? stats.killInside++ : stats.cutInside++),
    );
  });

  it('node02: cut the connection at a sample of write boundaries', { timeout: 2_400_000 }, async () => {
    // A cut leaves the node in the same state as a SIGKILL at the same point (kill-points.test.ts); what is
    // checked here is the client: it reports the node, exits 1, does not hang.
    const points = node02Points();
    const ks = pick(points.map((_, i) => i + 1).filter((k) => k % 20 === 3 || k === points.length));
    await onClones(
      ks.map((k) => `node02:cut-at-write:${k}`),
      () => stats.cutAtWrite++,
    );
  });

  it('the whole fleet at once: SIGKILL and cut at a sample of points', { timeout: 2_400_000 }, async () => {
    const all = await writePoints(REFERENCE);
    const n04 = all.node04!.length;
    const sample = pick([1, 40, 120, n04].filter((k) => k <= n04));
    for (const k of sample) {
      await killAndRecover(REFERENCE, `node04:kill-at-write:${k}`, true);
      stats.fleetKills++;
    }
    for (const k of pick([77, 150])) {
      await killAndRecover(REFERENCE, `node04:cut-at-write:${k}`, true);
      stats.fleetCuts++;
    }
  });
});
