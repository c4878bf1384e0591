// Issue 15, "Done when": an 80-node plan reads in one screen of summary with every warning counted. The built
// CLI on a local fleet of 80 nodes laid out like the reference scenario (t440 with its one credential warning,
// node03, and 78 alike node02s); the renderers' own limits are unit-tested in plan-render-scale.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigLocalFleet } from '../helpers/big-fleet.js';
import { runCli } from '../helpers/run-cli.js';

const GITHUB_COMMENT_LIMIT = 65_536;
let f: Awaited<ReturnType<typeof bigLocalFleet>>;

beforeAll(async () => {
  f = await bigLocalFleet(80);
});

afterAll(async () => {
  await f?.cleanup();
});

describe('80 alike nodes', { timeout: 600_000 }, () => {
  it('plan: the alike nodes in one line, the credential warning in a banner next to the summary that counts it', async () => {
    expect(f.names).toHaveLength(80);
    const r = await runCli(['plan', '-i', f.inventoryFile]);
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    // the three different plans in full (t440's 15 agents, node02, node03), the 77 others in one line
    expect(r.stdout).toMatch(/^node04–node80: same \d+ changes as node02 \(77 nodes\)$/m);
    expect(lines.length).toBeLessThan(200); // the issue saw 5,683 lines
    const banner = lines.findIndex((l) => l === '0 errors, 1 warning:');
    expect(banner, r.stdout).toBeGreaterThan(0);
    const tail = lines.slice(banner);
    expect(tail.length).toBeLessThanOrEqual(24); // one screen, ending with the summary
    expect(tail[1]).toMatch(/^ {2}warning: t440: \/root\/\.openclaw\/agents\/main: CREDENTIALS quarantined because the inventory names "main" under quarantineAgents: holds agent\/auth-profiles\.json/);
    expect(tail.at(-1)).toMatch(/^Plan: [\d,]+ changes on 80 nodes, 0 up to date, 0 with errors\. 1 warning \(above\)\.$/);
    // the warning is counted once, where it is, and no word of it was taken for a secret
    expect(lines.filter((l) => l.includes('CREDENTIALS'))).toHaveLength(2);
    expect(r.stdout).not.toContain('«redacted»');
  });

  it('markdown: every node\'s verdict and the warning banner, under GitHub\'s comment limit, nothing cut off', async () => {
    const r = await runCli(['plan', '-i', f.inventoryFile, '--format', 'markdown']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(r.stdout).toMatch(/^\| t440 \| \d+ \| 0 \| 1 \|/m);
    expect(r.stdout).toMatch(/^\| node02, node04–node80 \(78\) \| \d+ \| 0 \| 0 \|/m);
    expect(r.stdout).toMatch(/^\| node03 \| \d+ \| 0 \| 0 \|/m);
    expect(r.stdout).toContain('### ⚠️ 0 errors, 1 warning');
    expect(r.stdout).not.toContain('Truncated');
    expect(r.stdout).not.toContain('«redacted»');
  });

  it('apply -y converges all 80 (one summary line per node without a terminal); the next plan is one screen', async () => {
    // 80 nodes × 25 actions on one machine: every entry copy is a cp -a process (hard links, sparse files kept),
    // ~2,000 process starts in all; 2 minutes ran out on a loaded 2-core machine.
    const a = await runCli(['apply', '-y', '-i', f.inventoryFile], { timeoutMs: 480_000 });
    expect(a.code, a.stderr).toBe(0);
    const p = await runCli(['plan', '-i', f.inventoryFile]);
    expect(p.code, p.stdout).toBe(0);
    const lines = p.stdout.trimEnd().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines.at(-1)).toMatch(/^Plan: 0 changes on 0 nodes, 80 up to date, 0 with errors\.$/);
  });
});
