import { ClawError } from '../../domain/errors.js';
import { shQuote } from '../../transport/sh-quote.js';
import { asShCommand } from '../../transport/openclaw-cli.js';
import { runScript, type BootOp } from './op.js';

/** Exit code of freeScript when something the new user needs is taken. */
const TAKEN = 3;

/**
 * Read-only: exits 3, naming it on stderr, when the user's name (as a user or a group), its id (as a uid or a
 * gid) or its home is no longer free: the node's files, then NSS where getent exists. POSIX sh.
 */
export function freeScript(user: string, id: number, home: string): string {
  const taken = (what: string) => `{ echo ${shQuote(`clawfleet: ${what} is taken now`)} >&2; exit ${TAKEN}; }`;
  return [
    `u=${shQuote(user)}; n=${id}; h=${shQuote(home)}`,
    `awk -F: -v u="$u" '$1 == u { f = 1 } END { exit !f }' /etc/passwd && ${taken(`user ${user}`)}`,
    `awk -F: -v u="$u" '$1 == u { f = 1 } END { exit !f }' /etc/group && ${taken(`group ${user}`)}`,
    `awk -F: -v n="$n" '$3 == n { f = 1 } END { exit !f }' /etc/passwd && ${taken(`uid ${id}`)}`,
    `awk -F: -v n="$n" '$3 == n { f = 1 } END { exit !f }' /etc/group && ${taken(`gid ${id}`)}`,
    'if command -v getent >/dev/null 2>&1; then',
    `  getent passwd "$u" >/dev/null 2>&1 && ${taken(`user ${user}`)}`,
    `  getent group "$u" >/dev/null 2>&1 && ${taken(`group ${user}`)}`,
    `  getent passwd "$n" >/dev/null 2>&1 && ${taken(`uid ${id}`)}`,
    `  getent group "$n" >/dev/null 2>&1 && ${taken(`gid ${id}`)}`,
    'fi',
    `if [ -e "$h" ] || [ -L "$h" ]; then ${taken(`home ${home}`)}; fi`,
    'exit 0',
  ].join('\n');
}

/** The group, then the user with that group, both with the planned id; a failed useradd takes its group back. */
export function createScript(user: string, id: number, home: string): string {
  const u = shQuote(user);
  return [
    'set -e',
    `groupadd --system --gid ${id} ${u}`,
    `if ! useradd --system --uid ${id} --gid ${id} --home-dir ${shQuote(home)} --create-home --shell /bin/sh ${u}; then groupdel ${u}; exit 1; fi`,
    `printf 'uid=%s gid=%s\\n' "$(id -u ${u})" "$(id -g ${u})"`,
  ].join('\n');
}

/**
 * The gateway's user: a system user with its own group, both with the id the planner chose, and a home. The
 * name, id and home are checked free first (nothing is written otherwise); afterwards `id` must answer that id.
 */
export const createUser: BootOp<'create-user'> = {
  async act(ctx, a, op) {
    const free = await ctx.writer.exec(asShCommand(freeScript(op.user, op.id, op.home)));
    if (free.code !== 0) {
      const why = free.code === TAKEN ? (/clawfleet: (.*)/.exec(free.stderr)?.[1] ?? 'something is taken now') : `the check failed (exit ${free.code})`;
      throw new ClawError('CONFLICT', `create-user ${op.user} (uid and gid ${op.id}): ${why}, since the plan: nothing written; plan again`, { node: ctx.node, path: a.path });
    }
    const r = await runScript(ctx, `useradd ${op.user}`, createScript(op.user, op.id, op.home), a.path);
    const got = /uid=(\d+) gid=(\d+)/.exec(r.stdout);
    if (!got || Number(got[1]) !== op.id || Number(got[2]) !== op.id)
      throw new ClawError('EXEC_FAILED', `create-user ${op.user}: id answers ${got ? `uid ${got[1]} gid ${got[2]}` : 'nothing'}, the plan gave ${op.id}`, { node: ctx.node, path: a.path });
  },
  undo: async () => ({ notes: [NOT_UNDONE_USER] }),
  describeUndo: (u) => `${u.path}: ${NOT_UNDONE_USER}`,
};

export const NOT_UNDONE_USER = 'not undone: a created user stays (with its group and home; remove them by hand if needed)';
