// Ownership on the local transport (run as root, like the suite): a demo node whose OpenClaw home belongs to a
// gateway user (uid 1001, no /etc/passwd entry needed: the home's owner is the default). Apply gives what it
// creates or moves the gateway's owner and a mode no more open than the home, keeps the config's owner, group
// and mode, and rollback restores every owner and mode; setOwner never follows a link.
// The home is the gateway's, so the attic moves up to /root/.clawfleet-attic (executor/state-trust.ts).
import { execFileSync } from 'node:child_process';
import { lstat, readdir, readlink, stat, symlink, mkdir, writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyNode } from '../../src/executor/apply-node.js';
import { newRunId } from '../../src/executor/context.js';
import { rollbackRun } from '../../src/executor/rollback.js';
import { tempDemoFleet } from '../helpers/local-fleet.js';

type Fleet = Awaited<ReturnType<typeof tempDemoFleet>>;
const GW = 1001;
const MEDIA_GROUP = 1002;

/** Every path under `root` with kind, uid:gid and mode (clawfleet's own state aside). */
async function owners(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (/(^|\/)\.clawfleet(-attic)?(\/|$)/.test(r)) continue; // clawfleet's own state, the attic included
      const st = await lstat(`${dir}/${name}`);
      const sig = `${st.uid}:${st.gid} ${(st.mode & 0o7777).toString(8)}`;
      if (st.isSymbolicLink()) out.set(r, `link ${await readlink(`${dir}/${name}`)}`);
      else out.set(r, `${st.isDirectory() ? 'dir' : 'file'} ${sig}`);
      if (st.isDirectory()) await walk(`${dir}/${name}`, r);
    }
  };
  await walk(root, '');
  return out;
}

const opts = () => ({ runId: newRunId(), by: 'test@vitest', baseline: 'openclaw-classic' });

describe.runIf(process.getuid?.() === 0)('ownership and modes on the local transport', () => {
  let f: Fleet;
  let root: string;
  beforeEach(async () => {
    f = await tempDemoFleet();
    root = f.node('node02').root!;
    const oc = `${root}/root/.openclaw`;
    // The gateway's install: its home 0700, a setgid media dir of its media group, a 0640 config of that group.
    execFileSync('chown', ['-R', `${GW}:${GW}`, oc]);
    execFileSync('chmod', ['0700', oc]);
    execFileSync('chown', ['-R', `${GW}:${MEDIA_GROUP}`, `${oc}/media`]);
    execFileSync('chmod', ['2770', `${oc}/media`]);
    execFileSync('chown', [`${GW}:${MEDIA_GROUP}`, `${oc}/openclaw.json`]);
    execFileSync('chmod', ['0640', `${oc}/openclaw.json`]);
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('apply: new dirs are the gateway\'s (0700), a linked dir carries owner, group, mode and setgid; the config keeps its own; rollback restores all', async () => {
    const before = await owners(root);
    const plan = await f.plan('node02');
    expect(plan.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const o = opts();
    const r = await applyNode(f.writer('node02'), plan, o);
    expect(r.status, r.error).toBe('changed');
    const st = async (p: string) => {
      const s = await stat(`${root}${p}`);
      return `${s.uid}:${s.gid} ${(s.mode & 0o7777).toString(8)}`;
    };
    expect(await st('/openclaw-data/memory')).toBe(`${GW}:${GW} 700`);
    expect(await st('/openclaw-data/agents/coder/sessions')).toBe(`${GW}:${GW} 700`);
    expect(await st('/openclaw-data/media')).toBe(`${GW}:${MEDIA_GROUP} 2770`);
    // The demo's data root exists (root's, 0755): the gateway may pass through it, so it stays as it is.
    expect(await st('/openclaw-data')).toBe('0:0 755');
    expect(await st('/root/.openclaw/openclaw.json')).toBe(`${GW}:${MEDIA_GROUP} 640`);
    // The links in the gateway's home are the gateway's (their own owner: lchown).
    for (const l of ['/root/.openclaw/memory', '/root/.openclaw/media', '/root/.openclaw/agents/coder/sessions']) {
      const s = await lstat(`${root}${l}`);
      expect([l, s.isSymbolicLink(), s.uid, s.gid]).toEqual([l, true, GW, GW]);
    }
    // Converged, ownership included.
    expect((await f.plan('node02')).actions).toEqual([]);
    const rb = await rollbackRun(f.writer('node02'), (await f.plan('node02')).paths, o.runId, 'other@machine');
    expect(rb.undone).toBe(r.done);
    expect(await owners(root)).toEqual(before);
  });

  it('owner drift made by hand: set-owner actions, applied, rolled back exactly', async () => {
    expect((await applyNode(f.writer('node02'), await f.plan('node02'), opts())).status).toBe('changed');
    execFileSync('chown', ['0:0', `${root}/openclaw-data/logs`, `${root}/root/.openclaw/openclaw.json`]);
    execFileSync('chmod', ['0755', `${root}/openclaw-data/logs`]);
    const before = await owners(root);
    const plan = await f.plan('node02');
    expect(plan.actions.map((a) => [a.type, a.path, a.type === 'set-owner' ? a.to : null])).toEqual([
      ['set-owner', '/openclaw-data/logs', { uid: GW, gid: GW, mode: 0o700 }],
      ['set-owner', '/root/.openclaw/openclaw.json', { uid: GW, gid: GW, mode: 0o640 }],
    ]);
    const o = opts();
    expect((await applyNode(f.writer('node02'), plan, o)).status).toBe('changed');
    expect((await f.plan('node02')).actions).toEqual([]);
    await rollbackRun(f.writer('node02'), plan.paths, o.runId, 'other@machine');
    expect(await owners(root)).toEqual(before);
  });

  it('setLinkOwner changes a link itself, never its target, and refuses what is not a link', async () => {
    await writeFile(`${root}/victim`, 'x', { mode: 0o600 });
    await symlink('/victim', `${root}/lnk`);
    await f.writer('node02').setLinkOwner('/lnk', { uid: GW, gid: GW });
    const l = await lstat(`${root}/lnk`);
    const v = await stat(`${root}/victim`);
    expect([l.uid, l.gid, v.uid, v.gid]).toEqual([GW, GW, 0, 0]);
    await expect(f.writer('node02').setLinkOwner('/victim', { uid: GW, gid: GW })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('setOwner refuses a symlink and never changes what it points to', async () => {
    await mkdir(`${root}/openclaw-data`, { recursive: true });
    await writeFile(`${root}/victim`, 'x', { mode: 0o600 });
    await symlink('/victim', `${root}/openclaw-data/memory`);
    await expect(f.writer('node02').setOwner('/openclaw-data/memory', { uid: GW, gid: GW, mode: 0o777 })).rejects.toMatchObject({ code: 'ELOOP' });
    const v = await stat(`${root}/victim`);
    expect([v.uid, v.gid, v.mode & 0o7777]).toEqual([0, 0, 0o600]);
  });
});
