import { preflight, type PreflightFinding } from '../planner/preflight.js';
import { redactText } from '../shared/redact.js';
import type { NodeSession } from '../fleet/session.js';

/** `check --target-version V`: per node, the preflight findings as text or JSON, and the exit code. */
export function preflightReport(nodes: NodeSession[], target: string): { text: string; json: unknown; code: number } {
  const lines: string[] = [`upgrade preflight for OpenClaw ${target}`];
  const json: { node: string; current: string | null; error?: string; findings: PreflightFinding[] }[] = [];
  let blocks = false;
  let errors = false;
  for (const n of nodes) {
    const current = n.facts?.openclawVersion?.version ?? null;
    if (!n.facts) {
      errors = true;
      const why = n.plan.diagnostics.find((d) => d.severity === 'error')?.message ?? 'could not be read';
      json.push({ node: n.spec.name, current, error: why, findings: [] });
      lines.push(`${n.spec.name}: ? ${redactText(why)}`);
      continue;
    }
    const findings = preflight(n.facts, target);
    json.push({ node: n.spec.name, current, findings });
    const blocking = findings.filter((f) => f.severity === 'blocks').length;
    if (blocking > 0) blocks = true;
    lines.push(`${n.spec.name}: OpenClaw ${current ?? 'unknown'} → ${target}: ${blocking === 0 ? 'nothing blocks' : `${blocking} blocking`}${findings.length > blocking ? `, ${findings.length - blocking} note(s)` : ''}`);
    for (const f of findings) lines.push(`  ${f.severity === 'blocks' ? '✗' : '·'} ${f.path}: ${redactText(f.message)}`);
  }
  return { text: lines.join('\n') + '\n', json: { target, nodes: json }, code: errors ? 1 : blocks ? 2 : 0 };
}
