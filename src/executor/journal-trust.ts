import { isAgentId } from '../inventory/agent-id.js';
import { baseName, parentOf } from '../shared/node-path.js';
import { movedAside, runTmpPrefix } from './context.js';
import { UNIT_PATH } from '../shared/bootstrap-paths.js';
import type { JournalRecord, UndoInfo } from './journal-schema.js';

/**
 * A journal is read back from the node, where a user other than clawfleet's may have written it. The schema
 * (journal-schema.ts) says each record is well formed; this says each path it names is one the planner could
 * have planned for this node (from the inventory and baseline) or one the executor derives from the run id.
 * Anything else refuses the whole journal before rollback replays a single undo. Pure: records in, verdict out.
 */

/** What the inventory and baseline derive for one node (the planner's Layout is one). */
export interface PlannedLayout {
  home: string;
  dataRoot: string;
  stateDir: string;
  attic: string;
  configPath: string;
  agentsDir: string;
  dataDirs: string[];
  links: { path: string; target: string }[];
  /** Retired links (transition) and relocated agent dirs; absent: none. */
  retired?: { path: string; target: string }[];
  relocations?: { path: string; target: string }[];
}

export type JournalVerdict = { ok: true } | { ok: false; reason: string; path?: string };

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

/** A dir moved aside (link, unlink, relocate): only where this run keeps it, and only this run's temporaries. */
function mustBeThisRunsAside(u: { path: string; backup: string; tmpPrefix: string }, attic: string, seq: number, runId: string): void {
  must(u.backup === movedAside(attic, seq, u.path), `backup ${u.backup} is not where this run keeps it`, u.path);
  must(u.tmpPrefix === runTmpPrefix(runId), "temporary-name prefix is not this run's", u.path);
}

function checkUndo(u: UndoInfo, seq: number, runId: string, l: PlannedLayout): void {
  const attic = `${l.attic}/${runId}`;
  switch (u.kind) {
    case 'ensure-dir':
      must(u.path === l.home || l.dataDirs.includes(u.path), 'not a dir clawfleet plans for this node', u.path);
      return;
    case 'link': {
      const slot = l.links.find((s) => s.path === u.path);
      must(slot, 'not a link slot of this node', u.path);
      must(u.target === slot.target, `link target ${u.target} is not the planned ${slot.target}`, u.path);
      if (u.from === 'symlink') must(typeof u.oldTarget === 'string' && !u.oldTarget.includes('\0'), 'old link target missing', u.path);
      mustBeThisRunsAside(u, attic, seq, runId);
      return;
    }
    case 'unlink':
    case 'relocate': {
      const slot = (u.kind === 'unlink' ? l.retired : l.relocations)?.find((s) => s.path === u.path);
      must(slot, `not a ${u.kind === 'unlink' ? 'retired link' : 'relocated agent dir'} of this node`, u.path);
      must(u.target === slot.target, `target ${u.target} is not the planned ${slot.target}`, u.path);
      mustBeThisRunsAside(u, attic, seq, runId);
      return;
    }
    case 'merge-config': {
      must(u.path === l.configPath, 'not the config file of this node', u.path);
      const b = baseName(u.path);
      must(u.backup === `${l.stateDir}/runs/${runId}/config/${seq}-${b}.orig`, `backup ${u.backup} is not where this run keeps it`, u.path);
      must(u.aside === `${attic}/undone/${seq}-${b}`, `aside ${u.aside} is not in this run's attic`, u.path);
      must(u.tmp === undefined || u.tmp === `${parentOf(u.path)}/.${b}.clawfleet-${runId}`, `candidate ${String(u.tmp)} is not this run's`, u.path);
      return;
    }
    case 'quarantine': {
      const id = u.path.startsWith(l.agentsDir + '/') ? u.path.slice(l.agentsDir.length + 1) : '';
      must(id !== '' && !id.includes('/') && isAgentId(id), 'not an agent dir of this node', u.path);
      must(u.to === `${attic}/quarantine/${id}`, `quarantine ${u.to} is not in this run's attic`, u.path);
      return;
    }
    case 'set-owner':
      must(u.path === l.configPath || l.dataDirs.includes(u.path), 'not the config file or a data dir of this node', u.path);
      // The planner never sets or clears a setuid bit (a dir's setgid bit is only ever carried): nor may an undo.
      must(((u.from.mode | u.to.mode) & 0o4000) === 0, 'an owner change with a setuid bit', u.path);
      return;
    case 'bootstrap': {
      // Installs undo nothing; the others touch only the config, an agent dir, the unit, and their own backups.
      const touches =
        u.op === 'openclaw-setup'
          ? u.path === l.configPath
          : u.op === 'add-agent'
            ? parentOf(u.path) === l.agentsDir && isAgentId(baseName(u.path))
            : u.op === 'install-service'
              ? u.path === UNIT_PATH
              : true;
      must(
        ['create-user', 'install-runtime', 'install-openclaw', 'openclaw-setup', 'add-agent', 'install-service', 'start-service', 'start-service-systemd'].includes(u.op),
        `unknown bootstrap operation ${u.op}`,
        u.path,
      );
      must(touches, `not a path a bootstrap ${u.op} undoes on this node`, u.path);
      must(u.config === undefined || (u.op === 'add-agent' && u.config === l.configPath), `config ${String(u.config)} is not this node's config file`, u.path);
      must(
        u.backup === undefined || u.backup.startsWith(`${attic}/bootstrap/${seq}-`) || u.backup === `${l.stateDir}/runs/${runId}/config/${seq}-before-agents-add`,
        `backup ${String(u.backup)} is not where this run keeps it`,
        u.path,
      );
      return;
    }
    default: {
      // The schema admits no other kind; a new one is named here by the compiler, not refused at run time.
      const unknown: never = u;
      void unknown;
      throw new Refusal(`record ${seq}: unknown undo kind`);
    }
  }
}

/** Accepts a run's (schema-checked) journal records against the node's planned layout, or says why not. */
export function checkJournal(records: readonly JournalRecord[], runId: string, planned: PlannedLayout): JournalVerdict {
  try {
    for (const r of records) {
      if (r.t !== 'begin') continue;
      checkUndo(r.undo, r.seq, runId, planned);
    }
    return { ok: true };
  } catch (e) {
    if (e instanceof Refusal) return e.path === undefined ? { ok: false, reason: e.reason } : { ok: false, reason: e.reason, path: e.path };
    throw e;
  }
}
