import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// Two tiers. `unit`: pure code and the CLI in-process (no root, no SSH fleet, no download; `npm run test:unit`,
// under a minute). `system`: the built CLI on local fleets, real sshd fleets, the real OpenClaw releases,
// the reliability suites. `npm test` (and `.ci/run`) run both.
const shared = { testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' as const };
// The system tier waits on sshd, child CLIs and OpenClaw more than it computes: two files at a time even on a
// 2-core machine (each SSH suite has its own loopback addresses, see test/ssh/fleet.ts). CLAWFLEET_TEST_WORKERS=1
// runs them one by one.
const systemWorkers = Number(process.env.CLAWFLEET_TEST_WORKERS) || 2;

/**
 * Seconds each long system-tier file took in a full run on a 2-core machine (2 workers, 2026-12-02):
 * a scheduling hint, not a limit; only the order matters. On a fresh machine (CI: no vitest cache) vitest
 * would start files largest first, by bytes, so a short file with a long run (shards, package) could start last
 * and run alone at the end; longest first keeps the two workers busy until both are done. Files not listed (all under ~40 s) follow in vitest's own order.
 */
const SECONDS: Record<string, number> = {
  // three real bootstraps (2026.9.6 cold, warm with its gateway user created, 2026.5.28: push, onboard, agents add, a gateway started and checked)
  'test/compat/bootstrap.test.ts': 800,
  'test/reliability/kill-points.test.ts': 670,
  'test/ssh/shards.test.ts': 500,
  'test/ssh/signals.test.ts': 395,
  'test/compat/openclaw-upgrade.test.ts': 290,
  'test/integration/executor-local.test.ts': 288,
  'test/reliability/plan-apply.property.test.ts': 279,
  'test/reliability/hostile-corpus.test.ts': 248,
  // Ranked below its time (~390 s) on purpose: it starts once longer files are done, not beside the other
  // kill-point half (two halves at once are six kill-point applies on 2 cores).
  'test/reliability/kill-points-inside.test.ts': 240,
  'test/compat/openclaw-compat.test.ts': 200,
  'test/compat/openclaw-watch.test.ts': 150,
  'test/integration/fleet-scale.test.ts': 110,
  'test/ssh/living-node.test.ts': 100,
  'test/ssh/watch-ssh.test.ts': 80,
  'test/ssh/reference-ssh.test.ts': 57,
  'test/ssh/rollout.test.ts': 57,
  'test/integration/package.test.ts': 55,
  'test/ssh/transport-ssh.test.ts': 47,
  'test/ssh/become-sudo.test.ts': 39,
  'test/integration/review-workflow.test.ts': 38,
  'test/ssh/gateway-owner.test.ts': 38,
  'test/reliability/lock-race.test.ts': 37,
};

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const seconds = (f: TestSpecification) => SECONDS[relative(f.project.config.root, f.moduleId).replaceAll('\\', '/')] ?? 0;
    // stable: projects keep their order (sorted by name), unlisted files keep vitest's order
    return base
      .map((f, i) => ({ f, i }))
      .sort((a, b) => (a.f.project.name === b.f.project.name ? seconds(b.f) - seconds(a.f) : 0) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'system', maxWorkers: systemWorkers, include: ['test/**/*.test.ts'], exclude: ['test/unit/**', '**/node_modules/**'] } },
    ],
  },
});
