// `clawfleet check --target-version V` on the reference demo fleet (OpenClaw 2026.5.28, classic shape, some
// nodes already linked): what would block 2026.9.6, per node, read-only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { snapshotTree } from '../helpers/snapshot.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

let fleet: Awaited<ReturnType<typeof tempDemoFleet>>;
beforeAll(async () => {
  fleet = await tempDemoFleet();
});
afterAll(async () => fleet?.cleanup());

describe('check --target-version', () => {
  it('names, per node, the config keys 2026.9.6 rejects, the symlinked state its doctor refuses, and the legacy credential stores; changes nothing', async () => {
    const before = await snapshotTree(fleet.dir);
    const r = await runCli(['check', '-i', fleet.inventoryFile, '--target-version', '2026.9.6']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const t440 = r.stdout.slice(r.stdout.indexOf('t440:'), r.stdout.indexOf('node02:'));
    expect(t440).toMatch(/^t440: OpenClaw 2026\.5\.28 → 2026\.9\.6: \d+ blocking, 15 note\(s\)/);
    expect(t440).toContain("✗ /root/.openclaw/openclaw.json: agents.list: OpenClaw 2026.9.6's validator rejects it (the roster moved to agents.entries)");
    expect(t440).toContain('✗ /root/.openclaw/openclaw.json: agents.defaults.memorySearch:');
    expect(t440).toContain('✗ /root/.openclaw/openclaw.json: logging.consoleStyle: OpenClaw 2026.9.6\'s validator rejects it ("compact" is gone: pretty or json)');
    expect(t440).toContain("✗ /root/.openclaw/agents/coder/sessions: symlink to /openclaw-data/agents/coder/sessions: OpenClaw 2026.9.6's doctor (run by `openclaw update`) refuses");
    expect(t440).toContain('· /root/.openclaw/agents/coder/agent/auth-profiles.json: credentials in the legacy JSON file');
    const node02 = r.stdout.slice(r.stdout.indexOf('node02:'), r.stdout.indexOf('node03:'));
    expect(node02).not.toContain('symlink to'); // node02 has real dirs, nothing linked yet
    expect(node02).toContain('agents.list');
    const json = await runCli(['check', '-i', fleet.inventoryFile, '--target-version', '2026.9.6', '-f', 'json']);
    const parsed = JSON.parse(json.stdout) as { target: string; nodes: { node: string; findings: { kind: string }[] }[] };
    expect(parsed.target).toBe('2026.9.6');
    expect(parsed.nodes.find((n) => n.node === 't440')!.findings.filter((f) => f.kind === 'symlinked-state').length).toBe(4 + 15 * 2);
    // within the classic shape nothing blocks: 2026.7.1 only gets the credential notes
    const classic = await runCli(['check', '-i', fleet.inventoryFile, '--target-version', '2026.7.1']);
    expect(classic.code, classic.stdout).toBe(0);
    expect(classic.stdout).not.toContain('✗');
    expect(await snapshotTree(fleet.dir)).toEqual(before);
  });

  it('a malformed version is a usage error', async () => {
    const r = await runCli(['check', '-i', fleet.inventoryFile, '--target-version', 'latest']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--target-version must look like 2026\.9\.6, not "latest"/);
  });
});
