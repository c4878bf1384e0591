#!/usr/bin/env node
// What watching costs next to checking: N isolated sshd nodes (scripts/test-fleet.sh, the reference scenario's
// four node kinds cycled), the built CLI, wall time of the whole process, median of --runs.
//   node scripts/bench-watch.mjs [--nodes 64] [--runs 3] [--first 101] [--sqlite [--db-kib 512]]
// --sqlite: then again with every agent's credentials in an agent DB (agents/<id>/agent/openclaw-agent.sqlite, --db-kib of sessions
// beside the auth tables; auth-profiles.json renamed aside) and a shared store in state/openclaw.sqlite, as on
// OpenClaw ≥ 2026.6.5: what the sentinel's SQLite source costs.
// Honours CLAWFLEET_TEST_NET like the test fleets. Not run by CI.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = new URL('..', import.meta.url).pathname;
const { values: o } = parseArgs({ options: { nodes: { type: 'string', default: '64' }, runs: { type: 'string', default: '3' }, first: { type: 'string', default: '101' }, sqlite: { type: 'boolean', default: false }, 'db-kib': { type: 'string', default: '512' } } });
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
  writeFileSync(inv, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  port: 22\n  identity: ${fleet.clientKey}\n  baseline: openclaw-classic\nnodes:\n` + fleet.nodes.map((n, i) => `  ${n.name}:\n    host: ${n.host}\n    agents: [${kinds[i].agents.join(', ')}]\n${kinds[i].quarantine.length ? `    quarantineAgents: [${kinds[i].quarantine.join(', ')}]\n` : ''}`).join(''));
  const base = ['-i', inv, '--known-hosts', fleet.knownHosts];
  const cli = join(ROOT, 'dist/bin/clawfleet.js');
  const time = (args) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status === 1) throw new Error(`${args[0]} failed: ${r.stderr || r.stdout.slice(-2000)}`);
    return performance.now() - t0;
  };
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  // credentials in auth-profiles.json first; with --sqlite, then the same fleet with them in SQLite stores
  for (const mode of o.sqlite ? ['auth-profiles.json', 'sqlite'] : ['auth-profiles.json']) {
    if (mode === 'sqlite') await toSqlite(fleet.nodes.map((n) => n.dir));
    const watchArgs = [...base, '--state', join(dir, `state-${mode}.json`), '--secret-file', join(dir, 'secret'), '--notify-command', 'cat >/dev/null'];
    const loadBefore = loadavg()[0].toFixed(1);
    time(['watch', ...watchArgs]); // first run: records the fleet (and notifies its drift)
    const res = { plan: [], check: [], watch: [], 'check -f html': [] };
    for (let r = 0; r < Number(o.runs); r++) {
      res.plan.push(time(['plan', ...base]));
      res.check.push(time(['check', ...base]));
      res.watch.push(time(['watch', ...watchArgs]));
      res['check -f html'].push(time(['check', ...base, '-f', 'html']));
    }
    const load = `${loadBefore} → ${loadavg()[0].toFixed(1)} (1-min, before → after)`;
    console.log(JSON.stringify({ nodes: N, credentials: mode, ...(mode === 'sqlite' ? { dbKiB: Number(o['db-kib']) } : {}), runs: Number(o.runs), loadavg: load, medianSeconds: Object.fromEntries(Object.entries(res).map(([k, v]) => [k, +(median(v) / 1000).toFixed(2)])) }));
  }
} finally {
  execFileSync('bash', [FLEET, 'down', dir], { stdio: 'inherit' });
}

/** Every auth-profiles.json of the seeded nodes moved into an agent DB of OpenClaw's schema, plus a shared store. */
async function toSqlite(dirs) {
  const require = createRequire(import.meta.url);
  const init = (await import('sql.js')).default;
  const SQL = await init({ locateFile: () => require.resolve('sql.js/dist/sql-wasm.wasm') });
  const filler = 'x'.repeat(1000);
  const agentDb = (profiles) => {
    const db = new SQL.Database();
    db.run('CREATE TABLE auth_profile_store (store_key TEXT NOT NULL PRIMARY KEY, store_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT');
    db.run('CREATE TABLE auth_profile_state (state_key TEXT NOT NULL PRIMARY KEY, state_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT');
    db.run('CREATE TABLE session_entries (session_key TEXT NOT NULL PRIMARY KEY, entry_json TEXT NOT NULL, updated_at INTEGER NOT NULL) STRICT');
    for (let i = 0; i < Number(o['db-kib']); i++) db.run('INSERT INTO session_entries VALUES (?, ?, 1)', [`s${i}`, filler]);
    db.run('INSERT INTO auth_profile_store VALUES (?, ?, 1)', ['primary', JSON.stringify({ version: 1, profiles })]);
    const out = db.export();
    db.close();
    return out;
  };
  for (const d of dirs) {
    const home = join(d, 'root/.openclaw');
    let shared = null;
    for (const a of readdirSync(join(home, 'agents'))) {
      const json = join(home, 'agents', a, 'agent/auth-profiles.json');
      if (!existsSync(json)) continue;
      const doc = JSON.parse(readFileSync(json, 'utf8'));
      shared ??= doc.profiles;
      writeFileSync(join(home, 'agents', a, 'agent/openclaw-agent.sqlite'), agentDb(doc.profiles), { mode: 0o600 });
      renameSync(json, `${json}.migrated-2026-12-01T00-00-00Z`);
    }
    const db = new SQL.Database();
    db.run('CREATE TABLE config_machine_state (state_key TEXT NOT NULL PRIMARY KEY, value_json TEXT NOT NULL, updated_at_ms INTEGER NOT NULL) STRICT');
    db.run("INSERT INTO config_machine_state VALUES ('authProfiles.store', ?, 1)", [JSON.stringify({ version: 1, profiles: shared ?? {} })]);
    mkdirSync(join(home, 'state'), { recursive: true, mode: 0o700 });
    writeFileSync(join(home, 'state/openclaw.sqlite'), db.export(), { mode: 0o600 });
    chmodSync(join(home, 'state/openclaw.sqlite'), 0o600);
    db.close();
  }
}
