import { defineConfig } from 'vitest/config';

// Two tiers. `unit`: pure code and the CLI in-process (no root, no SSH fleet, no download; `npm run test:unit`,
// under a minute). `system`: the built CLI on local fleets, real sshd fleets, the real OpenClaw releases,
// the reliability suites. `npm test` (and `.ci/run`) run both.
const shared = { testTimeout: 60_000, hookTimeout: 120_000, pool: 'forks' as const };
// The system tier waits on sshd, child CLIs and OpenClaw more than it computes: two files at a time even on a
// 2-core machine (each SSH suite has its own loopback addresses, see test/ssh/fleet.ts). CLAWFLEET_TEST_WORKERS=1
// runs them one by one.
const systemWorkers = Number(process.env.CLAWFLEET_TEST_WORKERS) || 2;

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      { test: { ...shared, name: 'system', maxWorkers: systemWorkers, include: ['test/**/*.test.ts'], exclude: ['test/unit/**', '**/node_modules/**'] } },
    ],
  },
});
