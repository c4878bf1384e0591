// The health gate's loop (tries, deadline, journal record) on the local transport, with a clock the test
// drives; and the inventory's `health:` forms.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { errorMessage } from '../../src/domain/errors.js';
import { checkHealth, type Clock } from '../../src/executor/health-gate.js';
import { Journal } from '../../src/executor/journal.js';
import { parseInventory } from '../../src/inventory/load-inventory.js';
import { LocalNode } from '../../src/transport/local.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A clock that only moves when the gate sleeps. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms);
      t += ms;
    },
  };
}

async function node() {
  dir = await mkdtemp(join(tmpdir(), 'clawfleet-health-'));
  const w = new LocalNode({ node: 'n1', root: dir, home: '/' });
  return { w, journal: new Journal(w, '/journal.jsonl') };
}

describe('health gate', () => {
  it('tries until the command passes, every interval, and journals the outcome', async () => {
    const { w, journal } = await node();
    // Healthy on the third try (a gateway that needs a while to start).
    const spec = { command: 'n=$(cat tries 2>/dev/null || echo 0); n=$((n+1)); echo $n > tries; [ $n -ge 3 ] && echo ready', deadlineS: 60, intervalS: 2 };
    const clock = fakeClock();
    const h = await checkHealth(w, journal, spec, clock);
    expect(h).toMatchObject({ command: spec.command, ok: true, attempts: 3, output: 'ready' });
    expect(clock.slept).toEqual([2000, 2000]);
    const rec = JSON.parse((await readFile(join(dir, 'journal.jsonl'), 'utf8')).trim()) as Record<string, unknown>;
    expect(rec).toMatchObject({ t: 'health', ok: true, attempts: 3, code: 0 });
  });

  it('gives up once the deadline has passed, with the last output, redacted', async () => {
    const { w, journal } = await node();
    const spec = { command: 'echo "down: token sk-ant-api03-HEALTHSECRET0123456789abcdefghij" >&2; exit 3', deadlineS: 10, intervalS: 3 };
    const h = await checkHealth(w, journal, spec, fakeClock());
    expect(h.ok).toBe(false);
    expect(h.attempts).toBe(4); // at 0, 3, 6 and 9 s; one more would start past the 10 s deadline
    expect(h.output).toMatch(/^down: token /);
    expect(h.output).not.toContain('HEALTHSECRET');
  });
});

describe("the node's own `openclaw health`, pointed at the gateway", () => {
  // A stand-in `openclaw` on the PATH that only says how it was run (who, from where, with which home and
  // config): what is checked is clawfleet's invocation; OpenClaw's own answer is checked in test/compat/bootstrap.
  it("with the gateway's home and config, as its user from / (runuser), when the node's owner names one", async () => {
    const { w, journal } = await node();
    const bin = await mkdtemp(join(tmpdir(), 'clawfleet-health-bin-'));
    try {
      await chmod(bin, 0o755);
      await writeFile(join(bin, 'openclaw'), '#!/bin/sh\necho "$(id -un) $(pwd) $OPENCLAW_STATE_DIR $OPENCLAW_CONFIG_PATH ${OPENCLAW_GATEWAY_PORT:-config} $*" >&2\nexit 1\n', { mode: 0o755 });
      const path = process.env.PATH;
      process.env.PATH = `${bin}:${path}`;
      try {
        const gateway = { home: '/home/gw/.openclaw', config: '/home/gw/.openclaw/openclaw.json' };
        const asRoot = await checkHealth(w, journal, { deadlineS: 1, intervalS: 3, gateway }, fakeClock());
        expect(asRoot.output).toBe(`root ${dir} /home/gw/.openclaw /home/gw/.openclaw/openclaw.json config health --json --timeout 1000`);
        // a bootstrapped node's gateway was started on the inventory's port (over the config's): asked there
        const asUser = await checkHealth(w, journal, { deadlineS: 1, intervalS: 3, gateway: { ...gateway, runAs: 'nobody', port: 28381 } }, fakeClock());
        expect(asUser).toMatchObject({ ok: false, command: 'openclaw health --json as nobody' });
        expect(asUser.output).toBe('nobody / /home/gw/.openclaw /home/gw/.openclaw/openclaw.json 28381 health --json --timeout 1000');
      } finally {
        process.env.PATH = path;
      }
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});

describe('inventory health:', () => {
  const inv = (health: string) => `version: 1\ndefaults:\n  transport: local\n  root: /tmp/x\n  health: ${health}\nnodes:\n  a: {}\n  b: { health: false }\n`;

  it('true, a command or an object; false turns a default off', () => {
    expect(parseInventory('/i.yaml', inv('true')).nodes.map((n) => n.health)).toEqual([{ deadlineS: 120, intervalS: 3 }, undefined]);
    expect(parseInventory('/i.yaml', inv('"curl -fsS localhost:18789/healthz"')).nodes[0]!.health).toEqual({ command: 'curl -fsS localhost:18789/healthz', deadlineS: 120, intervalS: 3 });
    expect(parseInventory('/i.yaml', inv('{ deadline: 30, interval: 1 }')).nodes[0]!.health).toEqual({ deadlineS: 30, intervalS: 1 });
  });

  it('refuses anything else with a line naming file, line and key', () => {
    const err = (h: string) => {
      try {
        parseInventory('/i.yaml', inv(h));
      } catch (e) {
        return errorMessage(e);
      }
      return 'no error';
    };
    expect(err('{ deadline: -1 }')).toMatch(/^\/i\.yaml: line 5: defaults\.health/);
    expect(err('{ timeout: 3 }')).toMatch(/^\/i\.yaml: line 5: defaults\.health/);
    expect(err('""')).toMatch(/^\/i\.yaml: line 5: defaults\.health/);
  });
});
