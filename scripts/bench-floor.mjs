#!/usr/bin/env node
// The physical floor of a fleet run: one Node process that opens one SSH connection per node (in parallel,
// same key, strict host key check against the fleet's known_hosts) and runs one command on each.
// Usage: node scripts/bench-floor.mjs FLEET_DIR [COMMAND]   (prints the wall time of the connect+command phase)
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

const dir = process.argv[2];
const command = process.argv[3] ?? 'true';
if (!dir) {
  process.stderr.write('usage: bench-floor.mjs FLEET_DIR [COMMAND]\n');
  process.exit(2);
}
const fleet = JSON.parse(readFileSync(`${dir}/fleet.json`, 'utf8'));
const key = readFileSync(fleet.clientKey);
const known = new Map();
for (const line of readFileSync(fleet.knownHosts, 'utf8').split('\n')) {
  const [host, , blob] = line.trim().split(/\s+/);
  if (host && blob) known.set(host, Buffer.from(blob, 'base64'));
}

function one(n) {
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    const expected = known.get(n.host);
    c.on('ready', () => {
      c.exec(command, (err, stream) => {
        if (err) return reject(err);
        stream.on('data', () => {}).stderr.on('data', () => {});
        stream.on('close', (code) => {
          c.end();
          code === 0 ? resolve() : reject(new Error(`${n.name}: exit ${code}`));
        });
      });
    });
    c.on('error', (e) => reject(new Error(`${n.name}: ${e.message}`)));
    c.connect({
      host: n.host,
      port: n.port,
      username: n.user,
      privateKey: key,
      hostVerifier: (k) => Boolean(expected) && k.equals(expected),
      readyTimeout: 20_000,
    });
    c.setNoDelay(true); // as clawfleet does: no Nagle delay on small writes
  });
}

const t0 = performance.now();
await Promise.all(fleet.nodes.map(one));
process.stdout.write(`${(performance.now() - t0).toFixed(1)}\n`);
