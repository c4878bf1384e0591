import { ClawError } from '../domain/errors.js';
import { redactText } from '../shared/redact.js';
import { asShCommand, NOT_FOUND_MARK, VALIDATE_TIMEOUT_S, validateScript } from '../transport/openclaw-cli.js';
import type { ExecResult } from '../transport/types.js';
import type { RunContext } from './context.js';
import { moveAside } from './fs-helpers.js';

/** One problem OpenClaw's validator found: a dotted config path ("logging.level", "<root>") and its message. */
export interface ValidateIssue {
  path: string;
  message: string;
}

export type ValidateOutcome =
  | { kind: 'valid' }
  | { kind: 'invalid'; issues: ValidateIssue[] }
  /** No openclaw on the node. */
  | { kind: 'absent' }
  /** The validator did not give a usable answer (timeout, crash, unreadable output): nothing is known. */
  | { kind: 'failed'; why: string };

const MAX_ISSUES = 5;
const MAX_MESSAGE = 240;

function oneLine(s: string, max = MAX_MESSAGE): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The JSON object `config validate --json` prints (possibly after other lines), or null. */
function jsonAnswer(stdout: string): Record<string, unknown> | null {
  const text = stdout.trim();
  const starts = [0, ...[...text.matchAll(/\n\{/g)].map((m) => m.index + 1)];
  for (const at of starts) {
    try {
      const v = JSON.parse(text.slice(at)) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* try the next candidate start */
    }
  }
  return null;
}

function issuesOf(answer: Record<string, unknown>): ValidateIssue[] {
  const out: ValidateIssue[] = [];
  if (Array.isArray(answer.issues)) {
    for (const i of answer.issues as unknown[]) {
      const r = (i ?? {}) as { path?: unknown; message?: unknown };
      out.push({ path: typeof r.path === 'string' && r.path ? r.path : '<root>', message: typeof r.message === 'string' ? r.message : JSON.stringify(i) });
    }
  }
  if (out.length === 0) {
    // 2026.5.28: `error: "file not found"`; 2026.9.6: `error: { type, message }`.
    const e = answer.error as unknown;
    const msg = typeof e === 'string' ? e : typeof (e as { message?: unknown } | null)?.message === 'string' ? (e as { message: string }).message : null;
    out.push({ path: '<file>', message: msg ?? 'invalid (no issue list)' });
  }
  return out;
}

/** Reads the answer of validateScript: exit 0 + `{valid: true}` is the only "valid". Pure. */
export function parseValidateOutput(r: ExecResult): ValidateOutcome {
  if (r.code === 127 && r.stderr.includes(NOT_FOUND_MARK)) return { kind: 'absent' };
  if (r.code === 124) return { kind: 'failed', why: `it did not answer within ${VALIDATE_TIMEOUT_S} s` };
  const answer = jsonAnswer(r.stdout);
  if (answer && answer.valid === true && r.code === 0) return { kind: 'valid' };
  if (answer && answer.valid === false) return { kind: 'invalid', issues: issuesOf(answer) };
  const why = r.stderr.split('\n').find((l) => l.trim()) ?? r.stdout.split('\n').find((l) => l.trim()) ?? 'no output';
  return { kind: 'failed', why: `exit ${r.code}: ${oneLine(why, 200)}` };
}

/** "logging.level: Invalid input (allowed: …); browser: …" — one line, at most MAX_ISSUES issues. */
export function formatIssues(issues: ValidateIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES).map((i) => `${oneLine(i.path, 120)}: ${oneLine(i.message)}`);
  const more = issues.length > MAX_ISSUES ? ` (and ${issues.length - MAX_ISSUES} more)` : '';
  return shown.join('; ') + more;
}

/**
 * Runs the node's own `openclaw config validate --json` on a candidate written next to the live config.
 * Where the node has no openclaw (a bare node, a sandbox dir) there is nothing to ask: returns, and the plan
 * already said so. On any other answer than "valid" the candidate is moved aside (to `keepAt`) and the action
 * fails with OpenClaw's own issue list, redacted, in one line: the live config is never touched.
 */
export async function validateCandidate(ctx: RunContext, candidate: string, keepAt: string, configPath: string): Promise<void> {
  const w = ctx.writer;
  const bin = await w.openclawBinary();
  if (bin === null) return;
  const outcome = parseValidateOutput(await w.exec(asShCommand(validateScript(candidate))));
  if (outcome.kind === 'valid') return;
  await moveAside(w, candidate, keepAt).catch(() => false);
  const who = `OpenClaw${bin.version ? ` ${bin.version}` : ''}`;
  const message =
    outcome.kind === 'invalid'
      ? `${who} rejects the merged config (openclaw config validate): ${formatIssues(outcome.issues)}; the live config was not changed`
      : outcome.kind === 'absent'
        ? `${who} was found but could not be run to validate the merged config; the live config was not changed`
        : `${who}'s validator gave no usable answer (${outcome.why}); refusing to write an unvalidated config, the live config was not changed`;
  throw new ClawError(outcome.kind === 'invalid' ? 'INVALID_CONFIG' : 'VALIDATE_FAILED', redactText(message), { node: ctx.node, path: configPath });
}
