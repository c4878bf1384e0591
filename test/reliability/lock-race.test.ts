// Lock race: 20 `clawfleet apply -y --limit node03` processes at once against one real SSH node. Exactly one
// applies; every other one refuses with one line naming the holder (run id, user@host); the node ends
// converged exactly once, with no stray lock and nothing torn.
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { startFleet, type Fleet } from '../ssh/fleet.js';
import { cli, differences, snapshotAll, type Cli, type Entry } from './support.js';

const RACERS = 20;
let fleet: Fleet;
let inv: string;
let converged: Map<string, Entry>;
const figures: Record<string, unknown> = {};

const roots = () => ({ root: fleet.hostPath('node03', '/root'), data: fleet.hostPath('node03', '/openclaw-data') });
const args = () => ['apply', '-y', '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node03'];

async function reset(): Promise<void> {
  for (const r of Object.values(roots())) for (const e of await readdir(r)) await rm(`${r}/${e}`, { recursive: true, force: true });
  await seedNode(fleet.node('node03').hostRoot, SCENARIO.find((n) => n.name === 'node03')!, (p) => p);
}

async function journals(): Promise<{ runId: string; ends: string[]; begins: number }[]> {
  const dir = fleet.hostPath('node03', '/openclaw-data/.clawfleet/runs');
  if (!existsSync(dir)) return [];
  const out = [];
  for (const runId of await readdir(dir)) {
    const text = await readFile(`${dir}/${runId}/journal.jsonl`, 'utf8').catch(() => '');
    const recs = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { t: string; status?: string });
    out.push({ runId, ends: recs.filter((r) => r.t === 'end').map((r) => r.status!), begins: recs.filter((r) => r.t === 'begin').length });
  }
  return out;
}

/**
 * After a race: one run applied (any other run that got the lock later changed nothing: its actions were
 * refused as changed since plan), the node is converged byte for byte, unlocked, and plans to nothing.
 */
async function expectConvergedOnce(): Promise<string> {
  const all = await journals();
  const runs = all.filter((r) => r.begins > 0);
  expect(runs.map((r) => r.ends)).toEqual([['applied']]);
  for (const r of all.filter((x) => x.begins === 0)) expect(r.ends).toEqual(['partial']);
  figures.laterRunsThatChangedNothing = (Number(figures.laterRunsThatChangedNothing) || 0) + all.length - 1;
  expect(existsSync(fleet.hostPath('node03', '/root/.clawfleet/lock'))).toBe(false);
  expect(differences(converged, await snapshotAll(roots()))).toEqual([]);
  const plan = await cli(['plan', '-i', inv, '--known-hosts', fleet.knownHosts, '--limit', 'node03']);
  expect(plan.code, plan.stdout).toBe(0);
  return runs[0]!.runId;
}

function race(env: Record<string, string> = {}): Promise<Cli[]> {
  return Promise.all(Array.from({ length: RACERS }, () => cli(args(), env, 280_000)));
}

beforeAll(async () => {
  fleet = await startFleet({ names: ['node03'], firstOctet: 91 });
  inv = join(fleet.dir, 'inventory.yaml');
  const n = SCENARIO.find((x) => x.name === 'node03')!;
  await writeFile(
    inv,
    `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\nnodes:\n  node03:\n    host: ${fleet.node('node03').host}\n    agents: [${n.agents.join(', ')}]\n`,
  );
  await reset();
  const clean = await cli(args());
  expect(clean.code, clean.stdout + clean.stderr).toBe(0);
  converged = await snapshotAll(roots());
  await reset();
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  // eslint-disable-next-line no-console
  console.log(`lock race: ${JSON.stringify(figures)}`);
});

describe(`lock race: ${RACERS} concurrent applies against one SSH node`, () => {
  it('exactly one applies; the others refuse naming the holder; converged once, no stray lock', { timeout: 300_000 }, async () => {
    // The winner holds the lock (paused after its writes: mkdir ~/.clawfleet, mkdir lock, holder.json) until every
    // other racer has exited, so each of them meets the lock whatever the start-up order of 20 processes on a
    // loaded machine (the pause is released by a file, 240 s at most).
    const release = join(fleet.dir, 'release-winner');
    await rm(release, { force: true });
    const t0 = performance.now();
    let exited = 0;
    const results = await Promise.all(
      Array.from({ length: RACERS }, () =>
        cli(args(), { CLAWFLEET_FAILPOINT: 'node03:pause-after-write:3:240000', CLAWFLEET_FAILPOINT_RELEASE: release }, 280_000).then(async (r) => {
          if (++exited === RACERS - 1) await writeFile(release, '');
          return r;
        }),
      ),
    );
    figures.pausedMs = Math.round(performance.now() - t0);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners.length, results.map((r) => r.stdout + r.stderr).join('\n----\n')).toBe(1);
    expect(losers.map((r) => r.code)).toEqual(Array(RACERS - 1).fill(1));
    const runId = await expectConvergedOnce();
    expect(winners[0]!.stdout).toContain(`run ${runId}`);
    for (const r of losers) {
      const lines = (r.stdout + r.stderr).split('\n').filter((l) => /locked by/.test(l));
      expect(lines, r.stdout + r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`node03: /root/\\.clawfleet/lock: node is locked by run ${runId} by [^\\s@]+@\\S+ since \\S+ \\(apply\\)`));
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    }
    figures.paused = { racers: RACERS, applied: winners.length, refusedNamingHolder: losers.length };
    await reset();
  });

  it('without a pause too: one run applies, every other racer refuses or finds nothing to do', { timeout: 300_000 }, async () => {
    const results = await race();
    const runId = await expectConvergedOnce();
    const refused = results.filter((r) => r.code === 1);
    // A racer may meet the lock held by the winner, or by a later run that found its action changed since
    // plan (and changed nothing): apply is fast enough for later racers to lock after the winner is done.
    const holders = (await journals()).map((j) => j.runId).join('|');
    expect(holders).toContain(runId);
    for (const r of refused) expect(r.stdout + r.stderr).toMatch(new RegExp(`node03: .*(locked by run (${holders}) by \\S+@\\S+ since|changed since plan)`));
    expect(results.every((r) => r.code === 0 || r.code === 1)).toBe(true);
    const applied = results.filter((r) => r.stdout.includes(`run ${runId}`) && r.code === 0);
    expect(applied).toHaveLength(1);
    figures.free = { racers: RACERS, applied: applied.length, refused: refused.length, upToDate: results.length - applied.length - refused.length };
    await reset();
  });
});
