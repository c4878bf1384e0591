import { randomBytes } from 'node:crypto';
import { buildCheck, finish, type CheckedNode } from '../check/build.js';
import { checksApply, doctorCell, DOCTOR_ITEM, secretsCell, SECRETS_ITEM } from '../check/openclaw-findings.js';
import { applyWaivers, type Waiver } from '../check/waivers.js';
import type { Cell, CheckResult } from '../domain/check.js';
import { errorMessage } from '../domain/errors.js';
import type { Session, NodeSession } from '../fleet/session.js';
import { eachLimit } from '../terminal/progress.js';
import { authProfilesSource } from '../sentinel/auth-profiles-source.js';
import { credentialPresence, credentialStatus, type Scan } from '../sentinel/diff.js';
import { CREDENTIALS_ITEM, credentialsCell, missingCredentials } from '../check/judge-credentials.js';
import type { MissingCredentials } from '../domain/check.js';
import { fingerprinter } from '../sentinel/fingerprint.js';
import { scanCredentials } from '../sentinel/scan.js';
import type { CredentialSource } from '../sentinel/source.js';
import { sqliteSource } from '../sentinel/sqlite-source.js';
import { runOpenclawChecks } from '../transport/openclaw-checks.js';
import { listRuns } from '../executor/rollback.js';
import type { JournalRun } from '../render/html-report.js';

export interface CheckOptions {
  waivers: Waiver[];
  now: Date;
  /** Fold in OpenClaw's own read-only checks where the node's version has them. */
  openclawChecks: boolean;
  /** HMAC key of the credential fingerprints (a throwaway one when only the status is wanted). */
  fleetSecret?: Buffer;
  parallel: number;
  /** Credential sources, in order (default: auth-profiles.json, then OpenClaw's SQLite stores). */
  sources?: CredentialSource[];
  /** Also read each node's recent runs from its journal (for the HTML report). */
  journals?: boolean;
  /** Listed agents without credentials are drift (a `credentials` column), not only a note. */
  requireCredentials?: boolean;
}

export const DEFAULT_SOURCES: CredentialSource[] = [authProfilesSource, sqliteSource];

/** The session's nodes as the check judges them (facts kept by the session; none for an unreachable node). */
export function checkedNodes(session: Session): CheckedNode[] {
  return session.nodes.map((n) =>
    n.gathered ? { node: n.spec.name, plan: n.plan, input: { baseline: n.baseline.baseline, node: n.spec, facts: n.gathered.facts, layout: n.gathered.layout } } : { node: n.spec.name, plan: n.plan },
  );
}

async function openclawCells(n: NodeSession): Promise<Record<string, Cell>> {
  const bin = n.gathered?.facts.openclawBinary;
  const version = bin?.version ?? null;
  if (!bin || !n.writer) return { [DOCTOR_ITEM]: { state: 'n/a', why: 'no openclaw program on the node' }, [SECRETS_ITEM]: { state: 'n/a', why: 'no openclaw program on the node' } };
  if (!checksApply(version)) {
    const why = `OpenClaw ${version ?? '(unknown version)'}: its doctor --lint is not read-only before 2026.9.6, so it is not run`;
    return { [DOCTOR_ITEM]: { state: 'n/a', why }, [SECRETS_ITEM]: { state: 'n/a', why } };
  }
  try {
    const out = await runOpenclawChecks(n.writer, bin.path, n.gathered!.layout.home, n.gathered!.layout.configPath);
    return { [DOCTOR_ITEM]: doctorCell(out.doctor), [SECRETS_ITEM]: secretsCell(out.secrets) };
  } catch (e) {
    const why = `could not run: ${errorMessage(e)}`;
    return { [DOCTOR_ITEM]: { state: 'unknown', why }, [SECRETS_ITEM]: { state: 'unknown', why } };
  }
}

async function credentialScan(n: NodeSession, fingerprint: (m: string) => string, sources: CredentialSource[]): Promise<Scan | null> {
  if (!n.gathered || !n.writer) return null;
  const { facts, layout } = n.gathered;
  const agents = (facts.agentDirs ?? []).filter((c) => c.kind === 'dir').map((c) => c.name);
  return scanCredentials(
    n.writer,
    {
      node: n.spec.name,
      openclawHome: layout.home,
      agentsDir: layout.agentsDir,
      agents,
      agentFiles: facts.agentFiles,
      agentDirs: Object.fromEntries(layout.relocations.map((r) => [r.agent!, r.target])),
      fingerprint,
    },
    sources,
  );
}

/** A full check of an open session: the baseline matrix, OpenClaw's own checks, the credential scan, then waivers. */
async function journalOf(n: NodeSession): Promise<JournalRun[] | string> {
  if (!n.writer) return 'not read (node not reached)';
  try {
    return await listRuns(n.writer, n.plan.paths.stateDir);
  } catch (e) {
    return `could not be read: ${errorMessage(e)}`;
  }
}

export interface CheckRun {
  result: CheckResult;
  expired: Waiver[];
  scans: Map<string, Scan>;
  journals?: Map<string, JournalRun[] | string>;
}

/** Per node whose credentials were scanned: the listed agents without any (check/judge-credentials.ts). */
function missingByNode(session: Session, scans: Map<string, Scan>): Map<string, MissingCredentials[]> {
  const out = new Map<string, MissingCredentials[]>();
  for (const n of session.nodes) {
    const scan = scans.get(n.spec.name);
    if (scan && n.gathered) out.set(n.spec.name, missingCredentials(n.spec.agents, credentialPresence(scan), n.gathered.facts, n.gathered.layout));
  }
  return out;
}

export async function runCheck(session: Session, opts: CheckOptions): Promise<CheckRun> {
  const fingerprint = fingerprinter(opts.fleetSecret ?? randomBytes(32));
  const sources = opts.sources ?? DEFAULT_SOURCES;
  const per = await eachLimit(session.nodes, opts.parallel, async (n) => {
    const [cells, scan, journal] = await Promise.all([
      opts.openclawChecks ? openclawCells(n) : Promise.resolve(undefined),
      credentialScan(n, fingerprint, sources),
      opts.journals ? journalOf(n) : Promise.resolve(undefined),
    ]);
    return { node: n.spec.name, cells, scan, journal };
  });
  const extraCells = new Map(per.filter((p) => p.cells).map((p) => [p.node, p.cells!]));
  const anyOpenclaw = opts.openclawChecks && [...extraCells.values()].some((c) => Object.values(c).some((x) => x.state !== 'n/a'));
  const scans = new Map(per.filter((p) => p.scan).map((p) => [p.node, p.scan!]));
  const missing = missingByNode(session, scans);
  const items = [...(anyOpenclaw ? [DOCTOR_ITEM, SECRETS_ITEM] : []), ...(opts.requireCredentials ? [CREDENTIALS_ITEM] : [])];
  const cells = new Map<string, Record<string, Cell>>();
  for (const n of session.nodes) {
    const name = n.spec.name;
    cells.set(name, { ...(anyOpenclaw ? extraCells.get(name) : {}), ...(opts.requireCredentials ? { [CREDENTIALS_ITEM]: credentialsCell(missing.get(name)) } : {}) });
  }
  const base = buildCheck(checkedNodes(session), opts.now.toISOString(), items.length > 0 ? { items, cells } : {});
  const rows = base.rows.map((r) => (scans.has(r.node) ? { ...r, credentials: credentialStatus(scans.get(r.node)!), missingCredentials: missing.get(r.node)! } : r));
  const { result, expired } = applyWaivers(finish({ ...base, rows }), opts.waivers, opts.now);
  const run: CheckRun = { result, expired, scans };
  if (opts.journals) run.journals = new Map(per.map((p) => [p.node, p.journal!]));
  return run;
}
