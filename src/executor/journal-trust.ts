import { isAgentId } from '../inventory/agent-id.js';
import { atticCandidates, ATTIC_IN_HOME } from './state-trust.js';
import type { JournalRecord, UndoInfo } from './journal.js';

/**
 * A journal is read back from the node, where a user other than clawfleet's may have written it: before
 * rollback replays a single undo, every path the journal names is checked against what the planner could
 * have planned for this node (from the inventory and baseline) and what the executor derives from the run id.
 * Anything else refuses the whole journal. Pure: records in, verdict out.
 */

/** What the inventory and baseline derive for one node (the planner's Layout is one). */
export interface PlannedLayout {
  home: string;
  dataRoot: string;
  stateDir: string;
  configPath: string;
  agentsDir: string;
  dataDirs: string[];
  links: { path: string; target: string }[];
}

export type JournalVerdict = { ok: true; attic: string } | { ok: false; reason: string; path?: string };

const HEX64 = /^[0-9a-f]{64}$/;

/** One path component clawfleet may have copied or moved: no slash, NUL, `.` or `..`, not empty. */
export function isEntryName(n: unknown): n is string {
  return typeof n === 'string' && n !== '' && n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\0');
}

const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
const parent = (p: string): string => p.slice(0, p.lastIndexOf('/')) || '/';

class Refusal extends Error {
  constructor(
    readonly reason: string,
    readonly path?: string,
  ) {
    super(reason);
  }
}

function must(cond: unknown, reason: string, path?: string): asserts cond {
  if (!cond) throw new Refusal(reason, path);
}

function pathOf(u: unknown): string | undefined {
  const p = (u as { path?: unknown } | null)?.path;
  return typeof p === 'string' ? p : undefined;
}

function checkUndo(u: UndoInfo, seq: number, runId: string, attic: string, l: PlannedLayout): void {
  const at = pathOf(u);
  must(u && typeof u === 'object' && typeof at === 'string', `record ${seq}: undo information without a path`);
  switch (u.kind) {
    case 'ensure-dir':
      must(u.path === l.home || l.dataDirs.includes(u.path), 'not a dir clawfleet plans for this node', u.path);
      return;
    case 'link': {
      const slot = l.links.find((s) => s.path === u.path);
      must(slot, 'not a link slot of this node', u.path);
      must(u.target === slot.target, `link target ${String(u.target)} is not the planned ${slot.target}`, u.path);
      must(u.from === 'missing' || u.from === 'dir' || u.from === 'symlink', `unknown prior kind ${String(u.from)}`, u.path);
      if (u.from === 'symlink') must(typeof u.oldTarget === 'string' && !u.oldTarget.includes('\0'), 'old link target missing', u.path);
      must(u.backup === `${attic}/${runId}/moved/${seq}-${base(u.path)}`, `backup ${String(u.backup)} is not where this run keeps it`, u.path);
      must(u.tmpPrefix === `.clawfleet-${runId}-`, 'temporary-name prefix is not this run\'s', u.path);
      must(Array.isArray(u.copied) && u.copied.every(isEntryName), 'copied entries are not plain names', u.path);
      return;
    }
    case 'merge-config': {
      must(u.path === l.configPath, 'not the config file of this node', u.path);
      const b = base(u.path);
      must(u.backup === `${l.stateDir}/runs/${runId}/config/${seq}-${b}.orig`, `backup ${String(u.backup)} is not where this run keeps it`, u.path);
      must(u.aside === `${attic}/${runId}/undone/${seq}-${b}`, `aside ${String(u.aside)} is not in this run's attic`, u.path);
      must(u.tmp === undefined || u.tmp === `${parent(u.path)}/.${b}.clawfleet-${runId}`, `candidate ${String(u.tmp)} is not this run's`, u.path);
      must(typeof u.existed === 'boolean', 'existed is not a boolean', u.path);
      must(Number.isInteger(u.mode) && u.mode >= 0 && u.mode <= 0o7777, 'mode out of range', u.path);
      must(typeof u.afterSha256 === 'string' && HEX64.test(u.afterSha256), 'afterSha256 is not a sha256', u.path);
      must(u.beforeSha256 === undefined || HEX64.test(u.beforeSha256), 'beforeSha256 is not a sha256', u.path);
      return;
    }
    case 'quarantine': {
      const id = u.path.startsWith(l.agentsDir + '/') ? u.path.slice(l.agentsDir.length + 1) : '';
      must(isEntryName(id) && isAgentId(id), 'not an agent dir of this node', u.path);
      must(u.to === `${attic}/${runId}/quarantine/${id}`, `quarantine ${String(u.to)} is not in this run's attic`, u.path);
      return;
    }
    default:
      throw new Refusal(`record ${seq}: unknown undo kind ${JSON.stringify(String((u as { kind?: unknown }).kind)).slice(0, 60)}`, at);
  }
}

/**
 * Accepts a run's journal records before rollback uses them, or says why not. `attic` in the verdict is the
 * attic root the run recorded (older journals: `<home>/.clawfleet`), one of the roots the executor could pick.
 */
export function checkJournal(records: readonly JournalRecord[], runId: string, planned: PlannedLayout): JournalVerdict {
  try {
    const head = records.find((r) => r.t === 'run') as Extract<JournalRecord, { t: 'run' }> | undefined;
    if (head) must(head.runId === runId, `journal names run ${String(head.runId)}, not ${runId}`);
    const attic = head?.attic ?? `${planned.home}/${ATTIC_IN_HOME}`;
    must(typeof attic === 'string' && atticCandidates(planned.home).includes(attic), `attic ${String(attic)} is not one clawfleet could use for ${planned.home}`, String(attic));
    const seen = new Set<number>();
    for (const r of records) {
      must(r && typeof r === 'object' && typeof r.t === 'string', 'a record is not an object with a type');
      if (r.t !== 'begin' && r.t !== 'undone' && r.t !== 'done' && r.t !== 'fail' && r.t !== 'refused') continue;
      must(Number.isInteger(r.seq) && r.seq >= 0, `record ${String(r.t)}: sequence number is not a natural number`);
      if (r.t !== 'begin') continue;
      must(!seen.has(r.seq), `action ${r.seq} begins twice`);
      seen.add(r.seq);
      checkUndo(r.undo, r.seq, runId, attic, planned);
    }
    return { ok: true, attic };
  } catch (e) {
    if (e instanceof Refusal) return e.path === undefined ? { ok: false, reason: e.reason } : { ok: false, reason: e.reason, path: e.path };
    throw e;
  }
}
