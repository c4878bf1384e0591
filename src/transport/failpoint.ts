import { existsSync, writeSync } from 'node:fs';
import { ClawError } from '../domain/errors.js';
import type { ProbeRequest } from '../domain/facts.js';
import type { NodeWriter } from './types.js';

/**
 * Fault injection for the reliability suites. Inert unless CLAWFLEET_FAILPOINT is set; never set it on a
 * real fleet. Points are counted per node, in the order the executor reaches them:
 *
 *   count                         print every node's mutating calls to stderr at exit, in order, as JSON:
 *                                 clawfleet-failpoints {"node03":["mkdir /root/.clawfleet/lock", …]}
 *   [NODE:]kill-at-write:N        SIGKILL this process just before NODE's Nth mutating writer call
 *   [NODE:]kill-after-write:N     … just after it returned
 *   [NODE:]kill-in-write:N        … while it runs: once the path it creates exists (copyTree, mkdir, symlink,
 *                                 writeFileExclusive: a half-copied tree, a half-written file), else one
 *                                 event-loop turn after it was sent
 *   cut-…                         the same points, but the connection to NODE is destroyed instead: the
 *                                 process lives on and every later call to that node fails
 *   pause-…:N:MS                  the same points, but the process waits MS milliseconds there (holding
 *                                 whatever it holds, e.g. the node's lock) and goes on; with
 *                                 CLAWFLEET_FAILPOINT_RELEASE=FILE set, it goes on as soon as FILE exists
 *                                 (MS is then the longest wait), so a test releases it when it is ready
 */
export const FAILPOINT_ENV = 'CLAWFLEET_FAILPOINT';
export const FAILPOINT_RELEASE_ENV = 'CLAWFLEET_FAILPOINT_RELEASE';

export type FailWhere = 'at-write' | 'after-write' | 'in-write';
export interface FailpointSpec {
  node: string | null;
  action: 'kill' | 'cut' | 'pause';
  where: FailWhere;
  n: number;
  /** pause only */
  ms: number;
}

const SPEC_RE = /^(?:([^:]+):)?(kill|cut|pause)-(at-write|after-write|in-write):([1-9]\d*)(?::(\d+))?$/;

export function parseFailpoint(text: string | undefined): FailpointSpec | 'count' | null {
  if (!text) return null;
  if (text === 'count') return 'count';
  const m = SPEC_RE.exec(text);
  if (!m || (m[2] === 'pause') !== (m[5] !== undefined)) {
    throw new ClawError('USAGE', `${FAILPOINT_ENV}="${text}" is not "count" or [NODE:](kill|cut|pause)-(at-write|after-write|in-write):N[:MS]`);
  }
  return { node: m[1] ?? null, action: m[2] as FailpointSpec['action'], where: m[3] as FailWhere, n: Number(m[4]), ms: Number(m[5] ?? 0) };
}

interface Armed {
  writes: number;
  /** "op path" of every call, with CLAWFLEET_FAILPOINT=count. */
  log: string[];
  cut: () => void;
  dead: boolean;
}

const armed = new Map<string, Armed>();
let spec: FailpointSpec | 'count' | null | undefined;
let exitHook = false;

function current(): FailpointSpec | 'count' | null {
  if (spec === undefined) spec = parseFailpoint(process.env[FAILPOINT_ENV]);
  return spec;
}

function fires(node: string, where: FailWhere, n: number): boolean {
  const s = current();
  return s !== null && s !== 'count' && s.where === where && s.n === n && (s.node === null || s.node === node);
}

async function fire(a: Armed, node: string, what: string): Promise<void> {
  const s = current() as FailpointSpec;
  writeSync(2, `clawfleet-failpoint: ${s.action} ${node} ${what}\n`);
  if (s.action === 'pause') return pause(s.ms, process.env[FAILPOINT_RELEASE_ENV]);
  if (s.action === 'kill') process.kill(process.pid, 'SIGKILL');
  a.dead = true;
  a.cut();
}

async function pause(ms: number, release: string | undefined): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(release && existsSync(release))) {
    await new Promise((r) => setTimeout(r, Math.min(release ? 50 : ms, Math.max(0, end - Date.now()))));
  }
}

type Mutating = 'mkdir' | 'symlink' | 'writeFileAtomic' | 'writeFileExclusive' | 'appendFile' | 'rename' | 'replace' | 'copyTree' | 'copyEntries' | 'adoptEntries' | 'dropCopy' | 'rmdir' | 'unlink' | 'setOwner' | 'setLinkOwner';

/**
 * The writer itself when no failpoint is set; else a wrapper counting (and failing at) the points.
 * `cut` destroys the node's connection (for the SSH transport).
 */
export function withFailpoints(w: NodeWriter, cut: () => void = () => undefined): NodeWriter {
  const s = current();
  if (s === null) return w;
  const a: Armed = { writes: 0, log: [], cut, dead: false };
  armed.set(w.node, a);
  if (s === 'count' && !exitHook) {
    exitHook = true;
    process.on('exit', () => {
      writeSync(2, `clawfleet-failpoints ${JSON.stringify(Object.fromEntries([...armed].map(([k, v]) => [k, v.log])))}\n`);
    });
  }
  const lost = () => new ClawError('CONN_LOST', 'connection lost (failpoint)', { node: w.node });
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (a.dead) throw lost();
    return fn();
  };
  /** `path`: the path the call changes (the target of rename, replace, copyTree, symlink). */
  const mutate = async <T>(op: Mutating, path: string, call: () => Promise<T>): Promise<T> => {
    if (a.dead) throw lost();
    const n = ++a.writes;
    if (s === 'count') a.log.push(`${op} ${path}`);
    if (fires(w.node, 'at-write', n)) await fire(a, w.node, `before write #${n} (${op} ${path})`);
    if (a.dead) throw lost();
    const p = call();
    if (fires(w.node, 'in-write', n)) await during(w, a, p, op, path, n);
    try {
      return await p;
    } finally {
      if (fires(w.node, 'after-write', n)) await fire(a, w.node, `after write #${n} (${op} ${path})`);
    }
  };
  const wrapped: NodeWriter = {
    node: w.node,
    ...(w.pathMax !== undefined ? { pathMax: w.pathMax } : {}),
    home: () => guard(() => w.home()),
    probe: (req: ProbeRequest) => guard(() => w.probe(req)),
    openclawVersion: () => guard(() => w.openclawVersion()),
    openclawBinary: () => guard(() => w.openclawBinary()),
    bootstrapFacts: (q) => guard(() => w.bootstrapFacts(q)),
    close: () => w.close(),
    exec: (cmd) => guard(() => w.exec(cmd)),
    execWithFile: (cmd, file) => guard(() => w.execWithFile(cmd, file)),
    readFile: (p) => guard(() => w.readFile(p)),
    writeHeartbeat: (p, d) => guard(() => w.writeHeartbeat(p, d)),
    mkdir: (p, m) => mutate('mkdir', p, () => w.mkdir(p, m)),
    symlink: (t, p) => mutate('symlink', p, () => w.symlink(t, p)),
    writeFileAtomic: (p, d, m) => mutate('writeFileAtomic', p, () => w.writeFileAtomic(p, d, m)),
    writeFileExclusive: (p, d, m) => mutate('writeFileExclusive', p, () => w.writeFileExclusive(p, d, m)),
    appendFile: (p, d) => mutate('appendFile', p, () => w.appendFile(p, d)),
    rename: (f, t) => mutate('rename', t, () => w.rename(f, t)),
    replace: (f, t) => mutate('replace', t, () => w.replace(f, t)),
    copyTree: (f, t) => mutate('copyTree', t, () => w.copyTree(f, t)),
    lstatOwned: (ps) => guard(() => w.lstatOwned(ps)),
    copyEntries: (c) => mutate('copyEntries', `${c.dest}/${c.tmp}`, () => w.copyEntries(c)),
    adoptEntries: (c) => mutate('adoptEntries', c.dest, () => w.adoptEntries(c)),
    dropCopy: (c) => mutate('dropCopy', `${c.dest}/${c.tmp}`, () => w.dropCopy(c)),
    rmdir: (p) => mutate('rmdir', p, () => w.rmdir(p)),
    setOwner: (p, o) => mutate('setOwner', p, () => w.setOwner(p, o)),
    setLinkOwner: (p, o) => mutate('setLinkOwner', p, () => w.setLinkOwner(p, o)),
    unlink: (p) => mutate('unlink', p, () => w.unlink(p)),
  };
  return wrapped;
}

const CREATES = new Set<Mutating>(['copyTree', 'copyEntries', 'mkdir', 'symlink', 'writeFileExclusive']);

/** Fires while a call is under way: once the path it creates exists, else one event-loop turn after it was sent. */
async function during(w: NodeWriter, a: Armed, call: Promise<unknown>, op: Mutating, path: string, n: number): Promise<void> {
  let settled = false;
  call.then(
    () => (settled = true),
    () => (settled = true),
  );
  if (CREATES.has(op)) {
    // readFile is the cheapest look at a path (one SFTP stat; a probe runs a shell): anything but ENOENT
    // (content, EISDIR…) means the path exists.
    const exists = () => w.readFile(path).then(() => true, (e: unknown) => !(e instanceof ClawError && e.code === 'ENOENT'));
    while (!settled && !(await exists())) await new Promise((r) => setTimeout(r, 1));
  } else await new Promise((r) => setImmediate(r));
  await fire(a, w.node, `during write #${n} (${op} ${path}, ${settled ? 'already done' : 'under way'})`);
}
