import { describe, expect, it } from 'vitest';
import { checkJournal, type PlannedLayout } from '../../src/executor/journal-trust.js';
import type { JournalRecord, UndoInfo } from '../../src/executor/journal.js';

const RUN = '20261201T000000Z-abcd';
const HOME = '/home/openclaw/.openclaw';
const L: PlannedLayout = {
  home: HOME,
  dataRoot: '/openclaw-data',
  stateDir: '/openclaw-data/.clawfleet',
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

describe('checkJournal: a journal is replayed only where clawfleet could have planned', () => {
  it('accepts what the executor writes for this layout', () => {
    const recs = [run(), begin(0, { kind: 'ensure-dir', path: '/openclaw-data/memory' }), begin(1, link()), begin(2, config()), begin(3, { kind: 'quarantine', path: `${HOME}/agents/main`, to: `${ATTIC}/${RUN}/quarantine/main` })];
    expect(checkJournal(recs, RUN, L)).toEqual({ ok: true, attic: ATTIC });
  });

  it('accepts an attic above a home another user owns, and only the ones the executor could pick', () => {
    expect(checkJournal([run({ attic: '/home/.clawfleet-attic' }), begin(1, link({ backup: `/home/.clawfleet-attic/${RUN}/moved/1-memory` }))], RUN, L)).toMatchObject({ ok: true, attic: '/home/.clawfleet-attic' });
    expect(checkJournal([run({ attic: '/etc/cron.d' })], RUN, L)).toMatchObject({ ok: false, path: '/etc/cron.d' });
  });

  const forged: [string, JournalRecord[], string][] = [
    ['an ensure-dir outside the planned dirs', [begin(0, { kind: 'ensure-dir', path: '/etc/cron.d' })], '/etc/cron.d'],
    ['a link slot that is not planned', [begin(1, link({ path: '/etc/cron.d/x' }))], '/etc/cron.d/x'],
    ['a link target elsewhere', [begin(1, link({ target: '/etc' }))], `${HOME}/memory`],
    ['a backup outside the run attic', [begin(1, link({ backup: '/root/.ssh' }))], `${HOME}/memory`],
    ['copied names with a slash', [begin(1, link({ copied: ['../../etc/passwd'] }))], `${HOME}/memory`],
    ['a foreign temp prefix', [begin(1, link({ tmpPrefix: '../' }))], `${HOME}/memory`],
    ['a config path that is not the config', [begin(2, config({ path: '/etc/cron.d/evil' }))], '/etc/cron.d/evil'],
    ['a config backup that is not the run\'s', [begin(2, config({ backup: '/tmp/evil' }))], `${HOME}/openclaw.json`],
    ['a config candidate elsewhere', [begin(2, config({ tmp: '/etc/cron.d/evil' }))], `${HOME}/openclaw.json`],
    ['a quarantine of a path outside agents', [begin(3, { kind: 'quarantine', path: '/root/.ssh', to: `${ATTIC}/${RUN}/quarantine/x` })], '/root/.ssh'],
    ['a quarantine destination elsewhere', [begin(3, { kind: 'quarantine', path: `${HOME}/agents/main`, to: '/etc/main' })], `${HOME}/agents/main`],
    ['a journal of another run', [run({ runId: '20261201T000000Z-ffff' })], ''],
    ['an unknown undo kind', [begin(4, { kind: 'rm-rf', path: '/' } as never)], '/'],
  ];
  it.each(forged)('refuses %s', (_, recs, path) => {
    const v = checkJournal(recs, RUN, L);
    expect(v.ok).toBe(false);
    if (!v.ok && path) expect(v.path).toBe(path);
  });

  it('refuses an action that begins twice', () => {
    expect(checkJournal([begin(1, link()), begin(1, link())], RUN, L)).toMatchObject({ ok: false, reason: 'action 1 begins twice' });
  });
});
