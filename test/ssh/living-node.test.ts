// A living node over real SSH (isolated sshd node, built CLI): the gateway keeps writing while and after
// clawfleet works; a second Ctrl-C exits at once; clients die while `cp -a` runs on the node. A signal at every
// action boundary: signals.test.ts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import JSON5 from 'json5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO } from '../../src/demo/scenario-data.js';
import { seedNode } from '../../src/demo/seed.js';
import { CLI } from '../helpers/run-cli.js';
import { cli, differences, snapshotAll } from '../reliability/support.js';
import { startFleet, type Fleet } from './fleet.js';

let fleet: Fleet;
let inv: string;
const figures: Record<string, unknown> = {};
const NODE = 'node02';
const base = () => ['-i', inv, '--known-hosts', fleet.knownHosts, '--limit', NODE];
const roots = () => ({ root: fleet.hostPath(NODE, '/root'), data: fleet.hostPath(NODE, '/openclaw-data') });

async function reset(big = false): Promise<void> {
  for (const r of Object.values(roots())) for (const e of await readdir(r)) await rm(`${r}/${e}`, { recursive: true, force: true });
  await seedNode(fleet.node(NODE).hostRoot, SCENARIO.find((n) => n.name === NODE)!, (p) => p);
  if (!big) return;
  // enough files that `cp -a` of media runs long enough to be cut
  const dir = `${fleet.hostPath(NODE, '/root/.openclaw/media')}/inbound/batch`;
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < 6000; i++) await writeFile(`${dir}/f-${i}.bin`, `${i}`.repeat(64));
  await chmod(dir, 0o750);
}

/** The command lines of the processes running in the node (its own pid namespace), sshd aside. */
async function nodeProcesses(): Promise<string[]> {
  const out = await fleet.exec(NODE, ['sh', '-c', 'for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline" 2>/dev/null; echo; done']);
  return out.split('\n').map((l) => l.trim()).filter((l) => l && !/sshd|^sh -c for p in|^tr /.test(l));
}

beforeAll(async () => {
  fleet = await startFleet({ names: [NODE], firstOctet: 73 });
  inv = join(fleet.dir, 'inventory.yaml');
  const n = SCENARIO.find((x) => x.name === NODE)!;
  await writeFile(inv, `version: 1\ndefaults:\n  transport: ssh\n  user: root\n  identity: ${fleet.clientKey}\nnodes:\n  ${NODE}:\n    host: ${fleet.node(NODE).host}\n    agents: [${n.agents.join(', ')}]\n`);
  await reset();
}, 120_000);

afterAll(async () => {
  await fleet?.stop();
  // eslint-disable-next-line no-console
  console.log(`living node: ${JSON.stringify(figures)}`);
});

describe('a living node over SSH', () => {
  it('a writer appends to session files during and after the apply: rollback keeps every byte it wrote', { timeout: 600_000 }, async () => {
    await reset();
    // The "gateway": appends a numbered turn to an agent's session file every 20 ms (by path, as OpenClaw does),
    // and starts a new session file every 25 turns; it logs each write that succeeded, until told to stop. coder's
    // writer runs during and after the apply; researcher's only after it (so its link is surely made).
    const gateway = (agent: string) =>
      fleet.exec(NODE, [
        'sh',
        '-c',
        `a=${agent}; d=/root/.openclaw/agents/$a/sessions; i=0; while [ ! -e /tmp/stop ]; do i=$((i+1)); ` +
          'echo "{\\"turn\\":$i}" >>"$d/s-$a-1.jsonl" && echo "$a 1 $i" >>/tmp/ok-$a; ' +
          'if [ $((i % 25)) = 0 ]; then echo "{\\"new\\":$i}" >"$d/s-$a-n$i.jsonl" && echo "$a n$i $i" >>/tmp/ok-$a; fi; sleep 0.02; done',
      ]);
    const coder = gateway('coder');
    await new Promise((r) => setTimeout(r, 300));
    const apply = await cli(['apply', '-y', ...base()]);
    const runId = /run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(apply.stdout)?.[1];
    const researcher = gateway('researcher');
    await new Promise((r) => setTimeout(r, 1500)); // the gateway goes on writing after the apply
    const rb = runId ? await cli(['rollback', runId, '-y', ...base()]) : null;
    await writeFile(fleet.hostPath(NODE, '/tmp/stop'), '');
    await Promise.all([coder, researcher]);
    await rm(fleet.hostPath(NODE, '/tmp/stop'));
    const ok = (await fleet.exec(NODE, ['cat', '/tmp/ok-coder', '/tmp/ok-researcher'])).trim().split('\n');
    await fleet.exec(NODE, ['rm', '-f', '/tmp/ok-coder', '/tmp/ok-researcher']);
    expect(rb?.code, `${apply.stdout}${apply.stderr}\n${rb?.stdout}${rb?.stderr}`).toBe(0);
    // every turn the writer wrote is in the live dir, whatever happened to the apply
    const missing: string[] = [];
    const files = new Map<string, string>();
    for (const line of ok) {
      const [agent, file, i] = line.split(' ');
      const path = file === '1' ? `/root/.openclaw/agents/${agent}/sessions/s-${agent}-1.jsonl` : `/root/.openclaw/agents/${agent}/sessions/s-${agent}-${file}.jsonl`;
      if (!files.has(path)) files.set(path, await fleet.exec(NODE, ['cat', path]).catch(() => ''));
      if (!files.get(path)!.includes(file === '1' ? `{"turn":${i}}` : `{"new":${i}}`)) missing.push(`${path}: ${i}`);
    }
    const where = missing.length ? await fleet.exec(NODE, ['sh', '-c', `grep -rl '"turn":${missing.at(-1)!.split(': ')[1]}}' /root /openclaw-data; ls -la /root/.openclaw/agents/researcher /root/.openclaw/agents/researcher/sessions`]).catch((e: unknown) => String(e)) : '';
    expect(missing, `${where}\n${missing.join('\n')}\n${apply.stdout}${apply.stderr}\n${rb?.stdout}`).toEqual([]);
    for (const a of ['coder', 'researcher']) {
      expect(await fleet.exec(NODE, ['sh', '-c', `[ -d /root/.openclaw/agents/${a}/sessions ] && [ ! -L /root/.openclaw/agents/${a}/sessions ] && echo real-dir`])).toContain('real-dir');
    }
    figures.writer = { turnsWritten: ok.length, applyExit: apply.code, carriedLine: /carried over/.test(rb?.stdout ?? '') };
    expect(rb!.stdout).toMatch(/carried over into the live dir \(written after the apply\): .*s-researcher-1\.jsonl \(changed\)/);
    expect(rb!.stdout).toMatch(/s-researcher-n25\.jsonl \(new\)/);
    expect(existsSync(fleet.hostPath(NODE, '/root/.clawfleet/lock'))).toBe(false);
  });

  it('a chain of three runs cannot be rolled back out of order; --chain rolls back newest first, byte for byte', { timeout: 300_000 }, async () => {
    await reset();
    const before = await snapshotAll(roots());
    const config = fleet.hostPath(NODE, '/root/.openclaw/openclaw.json');
    const ids: string[] = [];
    for (const drop of [null, 'browser', 'logging']) {
      // runs 2 and 3 build on run 1: a section the baseline sets is taken out by hand, and the next run merges it back
      if (drop) {
        const c = JSON5.parse(await readFile(config, 'utf8')) as Record<string, unknown>;
        delete c[drop];
        await writeFile(config, JSON.stringify(c, null, 2));
      }
      const r = await cli(['apply', '-y', ...base()]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      ids.push(/run (\d{8}T\d{6}Z-[0-9a-f]{4})/.exec(r.stdout + r.stderr)![1]!);
    }
    const first = await cli(['rollback', ids[0]!, '-y', ...base()]);
    expect(first.code).not.toBe(0);
    expect(first.stdout + first.stderr).toMatch(new RegExp(`later run\\(s\\) ${ids[2]}, ${ids[1]} built on run ${ids[0]}`));
    const second = await cli(['rollback', ids[1]!, '-y', ...base()]);
    expect(second.code).not.toBe(0);
    expect(second.stdout + second.stderr).toMatch(new RegExp(`later run\\(s\\) ${ids[2]} built on`));
    // refused means untouched: the three runs' work is all there
    expect(await readFile(config, 'utf8')).toContain('logging');
    // the hand edits between the runs changed the config after runs 1 and 2: restoring it is asked for explicitly
    const chain = await cli(['rollback', ids[0]!, '--chain', '--force-config', '-y', ...base()]);
    expect(chain.code, chain.stdout + chain.stderr).toBe(0);
    expect(differences(before, await snapshotAll(roots()))).toEqual([]);
    expect(existsSync(fleet.hostPath(NODE, '/root/.clawfleet/lock'))).toBe(false);
  });

  it('a second signal exits at once and prints the unlock and rollback commands', { timeout: 120_000 }, async () => {
    await reset();
    const before = await snapshotAll(roots());
    const r = await new Promise<{ code: number | null; out: string }>((res) => {
      const child = spawn(process.execPath, [CLI, 'apply', '-y', ...base()], {
        env: { ...process.env, NO_COLOR: '1', CI: 'true', CLAWFLEET_FAILPOINT: `${NODE}:pause-at-write:12:20000` },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let sent = 0;
      const look = (d: Buffer) => {
        out += d.toString();
        if (sent === 0 && /clawfleet-failpoint: pause/.test(out)) {
          sent = 1;
          child.kill('SIGINT');
        } else if (sent === 1 && /stopping at the next safe point/.test(out)) {
          sent = 2;
          child.kill('SIGINT');
        }
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      child.on('close', (code) => res({ code, out }));
    });
    expect(r.code, r.out).toBe(130);
    const runId = /rolling back run (\S+)/.exec(r.out)![1]!;
    expect(r.out).toContain(`clawfleet rollback ${runId} -y --limit ${NODE}`);
    expect(r.out).toContain(`clawfleet unlock --run ${runId} --limit ${NODE}`);
    // what it printed works: the dead run's lock is taken over and the node restored
    const rb = await cli(['rollback', runId, '-y', ...base()]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(existsSync(fleet.hostPath(NODE, '/root/.clawfleet/lock'))).toBe(false);
    expect(differences(before, await snapshotAll(roots()))).toEqual([]);
    expect(await nodeProcesses()).toEqual([]);
  });

  it('a client killed while `cp -a` copies on the node leaves no copy running there', { timeout: 600_000 }, async () => {
    await reset(true);
    const count = await cli(['apply', '-y', ...base()], { CLAWFLEET_FAILPOINT: 'count' }, 300_000);
    expect(count.code, count.stdout + count.stderr).toBe(0);
    const calls = JSON.parse(count.stderr.split('\n').find((l) => l.startsWith('clawfleet-failpoints '))!.slice(21))[NODE] as string[];
    // media's entries (100 files in inbound/batch and more) are copied by one cp -a into the run's temp dir
    const k = calls.findIndex((c) => /^copyEntries \/openclaw-data\/media\/\.clawfleet-.*-copy$/.test(c)) + 1;
    expect(k).toBeGreaterThan(0);
    await reset(true);
    const r = await cli(['apply', '-y', ...base()], { CLAWFLEET_FAILPOINT: `${NODE}:kill-in-write:${k}` }, 300_000);
    expect(r.signal, r.stderr).toBe('SIGKILL');
    figures.cpCut = r.stderr.split('\n').find((l) => l.startsWith('clawfleet-failpoint:'));
    // sshd notices the dead client and closes the channel: the watcher kills cp (polled, no fixed wait)
    let procs = await nodeProcesses();
    for (let i = 0; i < 100 && procs.some((p) => p.startsWith('cp ')); i++) {
      await new Promise((res) => setTimeout(res, 100));
      procs = await nodeProcesses();
    }
    expect(procs).toEqual([]);
    // and it was cut, not done: the copy under its temporary name holds fewer entries than its source
    const copied = await fleet.exec(NODE, ['sh', '-c', 'ls /openclaw-data/media/.clawfleet-*-copy/inbound/batch 2>/dev/null | wc -l']);
    expect(Number(copied.trim())).toBeLessThan(6000);
    const runId = (await readdir(fleet.hostPath(NODE, '/openclaw-data/.clawfleet/runs')))[0]!;
    const rb = await cli(['rollback', runId, '-y', ...base()]);
    expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    expect(existsSync(fleet.hostPath(NODE, '/root/.clawfleet/lock'))).toBe(false);
    // the cut copy was only a copy: the rollback removed it
    expect((await fleet.exec(NODE, ['sh', '-c', 'ls -a /openclaw-data/media 2>/dev/null; true'])).split('\n').filter((n) => n.startsWith('.clawfleet-'))).toEqual([]);
  });
});
