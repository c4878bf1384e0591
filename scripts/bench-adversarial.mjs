#!/usr/bin/env node
// How long `clawfleet plan` takes on a node whose openclaw.json is ~2 MiB of text built to make redaction,
// masking or the diff slow, against a normal config of the same size and the demo's small one.
// Usage: npm run build && node scripts/bench-adversarial.mjs [--runs 3]
// Each case: a fresh local demo fleet (node02 only), its config replaced, `plan --limit node02` timed (wall
// time of the whole process, Node start-up included), median of the runs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(import.meta.dirname, '../dist/cli.js');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1] || 3) || 3;
const SIZE = 2 * 1024 * 1024 - 4096;
const fill = (unit, n) => unit.repeat(Math.floor(n / unit.length));
const wrap = (body) => `{\n  meta: { lastTouchedVersion: "2026.5.28" },\n${body}\n  tools: { profile: "coding" },\n}\n`;

const CASES = {
  'demo config (small)': null,
  'normal, 2 MiB (28k agents entries)': () => wrap(`  agents: { list: [\n${fill('    { id: "agent-0000", workspace: "/srv/ws/agent" },\n', SIZE - 200)}\n  ] },`),
  'one eyJ… string of 2 MiB': () => wrap(`  blob: "${fill('eyJ', SIZE)}",`),
  'eyJ… lines next to the insertion': () => wrap(fill('  k: "eyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJeyJ",\n', SIZE)),
  'a 2 MiB key name of eyJ…': () => wrap(`  "${fill('eyJ', SIZE)}": 1,`),
  'a 2 MiB comment of sk-a-a-a…': () => wrap(`  // ${fill('sk-a-', SIZE)}`),
  'a:a:a:… in a comment next to the insertion': () => wrap(`  /* ${fill('a:', SIZE)} */`),
  '2 MiB of "token": " fragments in one string': () => wrap(`  note: '${fill('"token": "', SIZE)}',`),
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const results = [];
for (const [name, make] of Object.entries(CASES)) {
  const dir = mkdtempSync(join(tmpdir(), 'clawfleet-adv-'));
  try {
    execFileSync(process.execPath, [CLI, 'demo', '--dir', join(dir, 'fleet')], { stdio: 'ignore' });
    const cfg = join(dir, 'fleet/nodes/node02/root/.openclaw/openclaw.json');
    if (make) writeFileSync(cfg, make());
    const bytes = readFileSync(cfg).length;
    const times = [];
    let code = 0;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      try {
        execFileSync(process.execPath, [CLI, 'plan', '-i', join(dir, 'fleet/inventory.yaml'), '--limit', 'node02'], { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
      } catch (e) {
        code = e.status;
      }
      times.push((performance.now() - t0) / 1000);
    }
    results.push({ name, bytes, exit: code, seconds: median(times) });
    console.log(`${name.padEnd(46)} ${String(bytes).padStart(8)} B  exit ${code}  ${median(times).toFixed(2)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
