import { describe, expect, it } from 'vitest';
import { checkJournal, type PlannedLayout } from '../../src/executor/journal-trust.js';
import type { JournalRecord, UndoInfo } from '../../src/executor/journal-schema.js';
import { acceptJournal } from '../../src/executor/accept-journal.js';

const RUN = '20261201T000000Z-abcd';
const HOME = '/home/openclaw/.openclaw';
const L: PlannedLayout = {
  home: HOME,
  dataRoot: '/openclaw-data',
  stateDir: '/openclaw-data/.clawfleet',
  attic: `${HOME}/.clawfleet`,
  configPath: `${HOME}/openclaw.json`,
  agentsDir: `${HOME}/agents`,
  dataDirs: ['/openclaw-data', '/openclaw-data/memory'],
  links: [{ path: `${HOME}/memory`, target: '/openclaw-data/memory' }],
};
const ATTIC = `${HOME}/.clawfleet`;

const run = (extra: Partial<Extract<JournalRecord, { t: 'run' }>> = {}): JournalRecord => ({ t: 'run', runId: RUN, node: 'n', at: 'x', by: 'u@h', baseline: 'b', actions: 1, ...extra });
const begin = (seq: number, undo: UndoInfo): JournalRecord => ({ t: 'begin', seq, action: {} as never, undo, at: 'x' });

const link = (over: Partial<Extract<UndoInfo, { kind: 'link' }>> = {}): UndoInfo => ({
  kind: 'link',
  path: `${HOME}/memory`,
  target: '/openclaw-data/memory',
  from: 'dir',
  backup: `${ATTIC}/${RUN}/moved/1-memory`,
  copied: ['a.md', 'sub'],
  tmpPrefix: `.clawfleet-${RUN}-`,
  ...over,
});
const config = (over: Partial<Extract<UndoInfo, { kind: 'merge-config' }>> = {}): UndoInfo => ({
  kind: 'merge-config',
  path: `${HOME}/openclaw.json`,
  existed: true,
  backup: `/openclaw-data/.clawfleet/runs/${RUN}/config/2-openclaw.json.orig`,
  mode: 0o600,
  afterSha256: 'a'.repeat(64),
  aside: `${ATTIC}/${RUN}/undone/2-openclaw.json`,
  tmp: `${HOME}/.openclaw.json.clawfleet-${RUN}`,
  beforeSha256: 'b'.repeat(64),
  ...over,
});

const owner = (over: Partial<Extract<UndoInfo, { kind: 'set-owner' }>> = {}): UndoInfo => ({
  kind: 'set-owner',
  path: '/openclaw-data',
  from: { uid: 0, gid: 0, mode: 0o700 },
  to: { uid: 0, gid: 1001, mode: 0o710 },
  ...over,
});

describe('checkJournal: a journal is replayed only where clawfleet could have planned', () => {
  it('accepts what the executor writes for this layout', () => {
    const recs = [run(), begin(0, { kind: 'ensure-dir', path: '/openclaw-data/memory' }), begin(1, link()), begin(2, config()), begin(3, { kind: 'quarantine', path: `${HOME}/agents/main`, to: `${ATTIC}/${RUN}/quarantine/main` })];
    expect(checkJournal(recs, RUN, L)).toEqual({ ok: true });
    const owners = [begin(4, owner()), begin(5, owner({ path: `${HOME}/openclaw.json`, from: { uid: 0, gid: 0, mode: 0o600 }, to: { uid: 1001, gid: 1001, mode: 0o600 } })), begin(6, owner({ path: '/openclaw-data/memory', from: { uid: 0, gid: 1002, mode: 0o2770 } }))];
    expect(checkJournal([run(), ...owners], RUN, L)).toEqual({ ok: true });
  });


  const forged: [string, JournalRecord[], string][] = [
    ['an ensure-dir outside the planned dirs', [begin(0, { kind: 'ensure-dir', path: '/etc/cron.d' })], '/etc/cron.d'],
    ['a link slot that is not planned', [begin(1, link({ path: '/etc/cron.d/x' }))], '/etc/cron.d/x'],
    ['a link target elsewhere', [begin(1, link({ target: '/etc' }))], `${HOME}/memory`],
    ['a backup outside the run attic', [begin(1, link({ backup: '/root/.ssh' }))], `${HOME}/memory`],
    ['a temp prefix of another run', [begin(1, link({ tmpPrefix: '.clawfleet-20261201T000000Z-ffff-' }))], `${HOME}/memory`],
    ['a config path that is not the config', [begin(2, config({ path: '/etc/cron.d/evil' }))], '/etc/cron.d/evil'],
    ['a config backup that is not the run\'s', [begin(2, config({ backup: '/tmp/evil' }))], `${HOME}/openclaw.json`],
    ['a config candidate elsewhere', [begin(2, config({ tmp: '/etc/cron.d/evil' }))], `${HOME}/openclaw.json`],
    ['a quarantine of a path outside agents', [begin(3, { kind: 'quarantine', path: '/root/.ssh', to: `${ATTIC}/${RUN}/quarantine/x` })], '/root/.ssh'],
    ['a quarantine destination elsewhere', [begin(3, { kind: 'quarantine', path: `${HOME}/agents/main`, to: '/etc/main' })], `${HOME}/agents/main`],
    ['an owner change outside the planned dirs and config', [begin(4, owner({ path: '/etc/shadow' }))], '/etc/shadow'],
    ['an owner change of the OpenClaw home\'s parent', [begin(4, owner({ path: '/home/openclaw' }))], '/home/openclaw'],
    ['an owner change with a setuid bit', [begin(4, owner({ from: { uid: 0, gid: 0, mode: 0o4755 } }))], '/openclaw-data'],
    ['a link backup in another run\'s attic', [begin(1, link({ backup: `${ATTIC}/20261201T000000Z-ffff/moved/1-memory` }))], `${HOME}/memory`],
  ];
  it.each(forged)('refuses %s', (_, recs, path) => {
    const v = checkJournal(recs, RUN, L);
    expect(v.ok).toBe(false);
    if (!v.ok && path) expect(v.path).toBe(path);
  });

  it('acceptJournal refuses a forged journal with one line naming node and path, and accepts it without a layout as before', () => {
    const recs = [run(), begin(0, { kind: 'ensure-dir', path: '/etc/cron.d' })];
    const recsTyped = recs.map((r) => (r.t === 'begin' ? { ...r, action: { type: r.undo.kind } as never } : r));
    const src = { node: 'n1', runId: RUN, path: `/openclaw-data/.clawfleet/runs/${RUN}/journal.jsonl`, paths: { home: HOME, dataRoot: L.dataRoot, attic: L.attic, stateDir: L.stateDir } };
    expect(() => acceptJournal(recsTyped, { ...src, planned: L })).toThrow(expect.objectContaining({ node: 'n1', path: src.path, message: expect.stringMatching(/\/etc\/cron\.d.*could not have planned/) }));
    expect(acceptJournal(recsTyped, src)).toBe(recsTyped);
  });
});

describe('checkJournal: the config file a bootstrap `agents add` backed up', () => {
  const add = (config?: string): UndoInfo => ({
    kind: 'bootstrap',
    op: 'add-agent',
    path: `${HOME}/agents/coder`,
    irreversible: false,
    backup: `/openclaw-data/.clawfleet/runs/${RUN}/config/3-before-agents-add`,
    ...(config === undefined ? {} : { config }),
  });
  it("is the node's own config file (or not journaled: an older journal), never another path the undo would overwrite", () => {
    expect(checkJournal([run(), begin(3, add(L.configPath))], RUN, L)).toEqual({ ok: true });
    expect(checkJournal([run(), begin(3, add())], RUN, L)).toEqual({ ok: true });
    expect(checkJournal([run(), begin(3, add('/etc/passwd'))], RUN, L)).toMatchObject({ ok: false, reason: expect.stringMatching(/config \/etc\/passwd is not this node's config file/) });
  });
});

