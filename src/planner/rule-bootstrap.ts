import type { BootstrapAction } from '../domain/actions.js';
import { gatewayRunAs } from '../shared/bootstrap-paths.js';
import { addedAgents, bootstrapCandidates, userHome } from './bootstrap-ops.js';
import { isStandIn, laterSteps, STAND_IN_SYSTEMD, standInNote } from './bootstrap-stand-in.js';
import { diag, factOf, type PlanInput, type RuleOutput } from './context.js';
import { newUserId } from './system-id.js';
import { compareVersions } from './version.js';

const NODE_MIN_MAJOR = 22;

/**
 * The inventory's `owner`, missing on the node, made a system user with a uid and gid the planner picks from
 * the node's account files (the executor re-checks they are still free): every later step knows its ids.
 */
function newGatewayUser(input: PlanInput, make: (id: number) => BootstrapAction): { action: BootstrapAction } | { problem: string } {
  const { node, facts, layout } = input;
  const [user, group = user] = node.owner!.split(':') as [string, string | undefined];
  const why = facts.gatewayProblem ?? `owner "${node.owner!}" not found`;
  if (!facts.accounts) return { problem: `${why}, and the node's account files were not read: cannot pick its id` };
  const id = newUserId(facts.accounts, user, group);
  if ('problem' in id) return { problem: `${why}; it cannot be created: ${id.problem}` };
  const home = userHome(user);
  // OpenClaw's setup runs as the new user: it can only make (and own) an OpenClaw home inside the user's own.
  if (!isUnder(layout.home, home))
    return { problem: `${why}; a new user could not make the OpenClaw home ${layout.home} (outside its home ${home}): set openclawHome under ${home}, or create the user yourself` };
  return { action: make(id.id) };
}

const isUnder = (p: string, dir: string): boolean => p.startsWith(`${dir}/`);

function major(v: string | null): number {
  return v ? Number(/^v(\d+)/.exec(v)?.[1] ?? 0) : 0;
}

/**
 * Phase 1 of a bootstrap (inventory `bootstrap:`): what must be on the node before the baseline's layout and
 * config can be planned: the pinned OpenClaw (and its runtime), OpenClaw's own setup, the listed agents. When
 * this plans anything, the other rules wait (plan-node.ts): their actions depend on what OpenClaw's setup
 * writes, so `apply` plans the node again once these are done. A node that cannot be bootstrapped is an
 * error here, before any write: another version installed, no pin, no source.
 */
export function planBootstrap(input: PlanInput): RuleOutput {
  const out: RuleOutput = { actions: [], diagnostics: [] };
  const { node, facts, baseline, layout } = input;
  const b = node.bootstrap;
  if (!b) return out;
  const err = (step: string, msg: string, path?: string) => out.diagnostics.push(diag(input, 'error', `bootstrap ${step}: ${msg}`, path));
  const standIn = isStandIn(node);
  const pin = baseline.openclaw.pin;
  if (!pin) {
    err('install-openclaw', `baseline "${baseline.name}" pins no OpenClaw version (openclaw.pin)`);
    return out;
  }
  const { minVersion, maxVersion } = baseline.openclaw;
  if (compareVersions(pin, minVersion) < 0 || (maxVersion !== undefined && compareVersions(pin, maxVersion) > 0)) {
    err('install-openclaw', `baseline "${baseline.name}" pins OpenClaw ${pin}, outside its own versions`);
    return out;
  }
  const bf = facts.bootstrap;
  if (!bf) {
    err('facts', 'the node did not answer the bootstrap probe');
    return out;
  }
  const c = bootstrapCandidates(node, baseline, layout, standIn ? STAND_IN_SYSTEMD : bf.systemd)!;
  const have = facts.openclawBinary?.version ?? null;
  if (have !== null && have !== pin) {
    err(
      'install-openclaw',
      `node runs OpenClaw ${have} (${facts.openclawBinary!.path}), baseline "${baseline.name}" pins ${pin}: a bootstrap never replaces another version (upgrade it, or pin ${have})`,
      facts.openclawBinary!.path,
    );
    return out;
  }
  if (facts.openclawBinary && have === null) {
    err('install-openclaw', `${facts.openclawBinary.path} --version named no version: cannot tell whether it is ${pin}`, facts.openclawBinary.path);
    return out;
  }
  if (node.transport === 'ssh' && node.user !== undefined && node.user !== 'root' && node.become !== 'sudo') {
    err(
      'install-openclaw',
      `logged in as ${node.user} without \`become: sudo\`: a bootstrap installs under ${b.prefix}, writes a service and may create a user, which needs root: log in as root or set become: sudo`,
    );
    return out;
  }
  const space = have === null ? installSpace(bf) : null;
  if (space) return (err('install-openclaw', `${b.prefix}: ${space}`, b.prefix), out);
  const config = factOf(input, layout.configPath);
  const present = new Set((facts.agentDirs ?? []).map((d) => d.name));
  const setupAsOwner = config.kind === 'missing' || c.agents.some((a) => a.boot.op === 'add-agent' && !present.has(a.boot.agentId));
  // OpenClaw's setup and `agents add` run as the existing gateway user: refused here, before any install,
  // rather than failing after it (an install cannot be undone).
  if (bf.ownerCanWrite === false && setupAsOwner) {
    const user = gatewayRunAs(node.owner) ?? node.owner ?? '';
    const what = factOf(input, layout.home).kind === 'missing' ? 'make' : 'write';
    err(
      'openclaw-setup',
      `the gateway's user "${user}" cannot ${what} its OpenClaw home (OpenClaw's setup and \`agents add\` run as it): give it that dir (or its parent), or set openclawHome where it can write`,
      layout.home,
    );
    return out;
  }
  const actions: BootstrapAction[] = [];
  if (node.owner && facts.gateway === null && c.createUser) {
    const user = newGatewayUser(input, c.createUser);
    if ('problem' in user) return (err('create-user', user.problem), out);
    actions.push(user.action);
  }
  if (have === null) {
    if (b.source === 'push') {
      if (b.cache === undefined) {
        err('install-openclaw', 'source push needs bootstrap.cache (the operator-side dir holding the runtime and the release)');
        return out;
      }
      const ps = bf.pushSource;
      if (!bf.pushedRuntime && !ps?.runtime)
        return (err('install-runtime', `push source missing: ${c.runtime!.boot.op === 'install-runtime' ? c.runtime!.boot.from : ''} has no Node.js runtime on this machine`), out);
      if (!ps?.openclaw)
        return (err('install-openclaw', `push source missing: ${c.openclaw.boot.op === 'install-openclaw' ? (c.openclaw.boot.from ?? '') : ''} has no openclaw ${pin} on this machine`), out);
      if (!bf.pushedRuntime) actions.push(c.runtime!);
    } else if (!standIn && (!bf.npm || major(bf.systemNode) < NODE_MIN_MAJOR)) {
      err(
        'install-openclaw',
        `source registry needs npm and Node.js ≥ ${NODE_MIN_MAJOR} on the node (found ${bf.npm ? 'npm' : 'no npm'}, ${bf.systemNode ? `Node.js ${bf.systemNode}` : 'no Node.js'}): use source push, or install them`,
      );
      return out;
    }
    if (bf.installed.includes(pin)) {
      err(
        'install-openclaw',
        `${c.openclaw.path} exists but no openclaw is on the node's PATH: remove it or put ${c.openclaw.boot.op === 'install-openclaw' ? c.openclaw.boot.wrapper : ''} back`,
        c.openclaw.path,
      );
      return out;
    }
    actions.push(c.openclaw);
  }
  if (config.kind === 'missing') {
    if (factOf(input, layout.home).kind !== 'missing' && facts.agentDirs !== null && facts.agentDirs.length > 0) {
      err('openclaw-setup', `${layout.home} holds agents but no ${baseline.config.file}: refusing to run OpenClaw's setup over it`, layout.home);
      return out;
    }
    actions.push(c.setup);
  }
  for (const a of c.agents) if (a.boot.op === 'add-agent' && !present.has(a.boot.agentId)) actions.push(a);
  out.actions.push(...actions);
  if (actions.length > 0) {
    out.diagnostics.push(
      diag(
        input,
        'info',
        `bootstrap: the baseline's layout, config, service and health check are planned once OpenClaw's setup has run: \`apply\` plans this node again after these steps and applies the rest in the same command: ${laterSteps(c)}`,
      ),
    );
    if (standIn) out.diagnostics.push(diag(input, 'info', standInNote(node)));
    const bare = [...(config.kind === 'missing' ? ['main'] : []), ...addedAgents(node)].filter((a) => node.agents.includes(a));
    if (bare.length > 0)
      out.diagnostics.push(
        diag(input, 'warning', `agents without credentials after the bootstrap: ${bare.join(', ')} (clawfleet never writes credentials: add them with OpenClaw, e.g. \`openclaw models auth\`)`),
      );
  }
  return out;
}

/**
 * What an install takes on the node, in MiB, measured: openclaw 2026.9.6 unpacked is 792 MB (41,048 files), Node
 * 24 242 MB; a push also holds each tarball while it unpacks. Rounded up: the plan refuses below it.
 */
export const INSTALL_MIB = { openclaw: 1200, runtime: 350 } as const;

/** Why the prefix's filesystem cannot take the install (the probe's `df`), or null (enough, or unknown). */
function installSpace(bf: NonNullable<PlanInput['facts']['bootstrap']>): string | null {
  if (bf.freeKiB === undefined) return null;
  const need = INSTALL_MIB.openclaw + (bf.pushedRuntime ? 0 : INSTALL_MIB.runtime);
  const free = Math.floor(bf.freeKiB / 1024);
  return free < need
    ? `${free} MiB free on its filesystem, the install needs about ${need} MiB (openclaw and its Node.js runtime): free some space, or set bootstrap.prefix to a bigger filesystem`
    : null;
}
