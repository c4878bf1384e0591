#!/usr/bin/env node
// What watching costs next to checking: N isolated sshd nodes (scripts/test-fleet.sh, the reference scenario's
// four node kinds cycled), the built CLI, wall time of the whole process, median of --runs.
//   node scripts/bench-watch.mjs [--nodes 64] [--runs 3] [--first 101]
// Honours CLAWFLEET_TEST_NET like the test fleets. Not run by CI.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;
const { values: o } = parseArgs({ options: { nodes: { type: 'string', default: '64' }, runs: { type: 'string', default: '3' }, first: { type: 'string', default: '101' } } });
const N = Number(o.nodes);
const { SCENARIO } = await import(join(ROOT, 'dist/demo/scenario-data.js'));
const { seedNode } = await import(join(ROOT, 'dist/demo/seed.js'));
const kinds = Array.from({ length: N }, (_, i) => ({ ...SCENARIO[i % 4], name: `n${String(i + 1).padStart(2, '0')}` }));
const dir = mkdtempSync(join(tmpdir(), 'clawfleet-bench-watch-'));
const FLEET = join(ROOT, 'scripts/test-fleet.sh');
execFileSync('bash', [FLEET, 'up', dir, String(N), o.first], { env: { ...process.env, FLEET_NAMES: kinds.map((k) => k.name).join(' '), FLEET_READY_TIMEOUT_MS: process.env.FLEET_READY_TIMEOUT_MS ?? '60000' }, stdio: 'inherit' });
try {
  const fleet = JSON.parse(readFileSync(join(dir, 'fleet.json'), 'utf8'));
  for (const [i, n] of fleet.nodes.entries()) await seedNode(n.dir, kinds[i], (p) => p);
  const inv = join(dir, 'inventory.yaml');
  writeFileSync(inv, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\nnodes:\n` + fleet.nodes.map((n, i) => `  ${n.name}:\n    host: ${n.host}\n    agents: [${kinds[i].agents.join(', ')}]\n`).join(''));
  const base = ['-i', inv, '--known-hosts', fleet.knownHosts];
  const cli = join(ROOT, 'dist/bin/clawfleet.js');
  const time = (args) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status === 1) throw new Error(`${args[0]} failed: ${r.stderr}`);
    return performance.now() - t0;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const watchArgs = [...base, '--state', join(dir, 'state.json'), '--secret-file', join(dir, 'secret'), '--notify-command', 'cat >/dev/null'];
  time(['watch', ...watchArgs]); // first run: records the fleet (and notifies its drift)
  const res = { plan: [], check: [], watch: [], 'check -f html': [] };
  for (let r = 0; r < Number(o.runs); r++) {
    res.plan.push(time(['plan', ...base]));
    res.check.push(time(['check', ...base]));
    res.watch.push(time(['watch', ...watchArgs]));
    res['check -f html'].push(time(['check', ...base, '-f', 'html']));
  }
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  console.log(JSON.stringify({ nodes: N, runs: Number(o.runs), loadavg: load, medianSeconds: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, +(median(v) / 1000).toFixed(2)])) }));
} finally {
  execFileSync('bash', [FLEET, 'down', dir], { stdio: 'inherit' });
}
