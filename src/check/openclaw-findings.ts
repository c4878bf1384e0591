import type { Cell } from '../domain/check.js';
import { compareVersions } from '../planner/version.js';
import { redactText } from '../shared/redact.js';

export const DOCTOR_ITEM = 'openclaw-doctor';
export const SECRETS_ITEM = 'openclaw-secrets';

/**
 * The first release whose `doctor --lint` and `secrets audit --check` were seen to write nothing to an
 * existing state dir. 2026.5.28's `doctor --lint` writes agents/main/agent/models.json,
 * logs/config-health.json and plugin-skills/: it is not run there.
 */
export const READ_ONLY_CHECKS_SINCE = '2026.9.6';

export function checksApply(version: string | null | undefined): boolean {
  return !!version && compareVersions(version, READ_ONLY_CHECKS_SINCE) >= 0;
}

const NOT_RUN = 'state/openclaw.sqlite is not open in WAL mode (gateway stopped?): OpenClaw\'s checks would leave files there, so they are not run';

interface Finding {
  id: string;
  severity: string;
  message: string;
}

const MAX_DETAIL = 10;

function cellOf(findings: Finding[]): Cell {
  const loud = findings.filter((f) => /^(error|warn|warning|critical)$/i.test(f.severity));
  if (!loud.length) return { state: 'ok' };
  const what = [...new Set(loud.map((f) => f.id))].sort();
  const detail = loud.slice(0, MAX_DETAIL).map((f) => redactText(`${f.severity}: ${f.id}: ${f.message.replace(/\s*\n\s*/g, ' ')}`).slice(0, 400));
  if (loud.length > MAX_DETAIL) detail.push(`and ${loud.length - MAX_DETAIL} more`);
  return { state: 'drift', what, detail };
}

function parsed(stdout: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(stdout.trim()) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** `doctor --lint --json`: `{ok, findings: [{checkId, severity, message}]}`; exit 1 when it has findings. */
export function doctorCell(out: { code: number; stdout: string } | null): Cell {
  if (!out) return { state: 'n/a', why: NOT_RUN };
  const j = parsed(out.stdout);
  if (!j || !Array.isArray(j.findings)) return { state: 'unknown', why: `doctor --lint --json exited ${out.code} without its JSON report${out.code === 124 ? ' (timed out)' : ''}` };
  return cellOf(j.findings.map((f: Record<string, unknown>) => ({ id: str(f.checkId).replace(/^core\/doctor\//, '') || 'finding', severity: str(f.severity), message: str(f.message) })));
}

/** `secrets audit --check --json`: `{status, findings: [{code, severity, message, jsonPath}]}`. */
export function secretsCell(out: { code: number; stdout: string } | null): Cell {
  if (!out) return { state: 'n/a', why: NOT_RUN };
  const j = parsed(out.stdout);
  if (!j || !Array.isArray(j.findings)) return { state: 'unknown', why: `secrets audit --check --json exited ${out.code} without its JSON report${out.code === 124 ? ' (timed out)' : ''}` };
  return cellOf(j.findings.map((f: Record<string, unknown>) => ({ id: str(f.code).toLowerCase().replace(/_/g, '-') || 'finding', severity: str(f.severity), message: str(f.message) })));
}
