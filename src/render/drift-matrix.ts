import type { Cell, CheckResult, MissingCredentials } from '../domain/check.js';
import { rowDrifts } from '../domain/check.js';
import { escapeDeep } from './escape.js';
import { redactText } from '../shared/redact.js';
import type { Style } from './style.js';

/** A cell as the terminal shows it: ✓, ✗ what, ? (why below), ~ waived drift, – not applicable. */
export function cellText(c: Cell): string {
  switch (c.state) {
    case 'ok':
      return '✓';
    case 'drift':
      return `✗ ${c.what.join('+')}`;
    case 'unknown':
      return '?';
    case 'waived':
      return `~ ${c.what.join('+')}`;
    case 'n/a':
      return '–';
  }
}

function colour(c: Cell, s: Style): (t: string) => string {
  return c.state === 'ok' ? s.green : c.state === 'unknown' ? s.red : c.state === 'drift' ? s.yellow : s.dim;
}

const PLAIN_WHAT = new Set(['dir', 'link', 'config']);

/** Listed agents without credentials (ids and store paths only), and how OpenClaw adds them. */
export function missingLine(m: MissingCredentials[]): string {
  return `agents without credentials: ${m.map((x) => `${x.agent} (${x.store})`).join(', ')}: add them with OpenClaw (\`openclaw models auth\`); a note, not drift`;
}

/** Lines under the matrix: what drifts in detail, why a cell is `?`, which waiver covers what. */
function explanations(r: CheckResult, s: Style): string[] {
  const out: string[] = [];
  for (const row of r.rows) {
    if (row.error) {
      out.push(s.red(`error: ${row.node}: ${row.error}`));
      continue;
    }
    for (const [item, c] of Object.entries(row.cells)) {
      if (c.state === 'unknown') out.push(s.red(`? ${row.node} ${item}: ${c.why}`));
      // the matrix already says dir/link/config; what it cannot say (conflicts, agent dirs) is spelt out
      if (c.state === 'drift' && c.detail && c.what.some((w) => !PLAIN_WHAT.has(w))) {
        for (const d of c.detail) out.push(`✗ ${row.node} ${item}: ${d}`);
      }
      if (c.state === 'waived') out.push(s.dim(`~ ${row.node} ${item}: waived until ${c.expires}: ${c.reason}`));
    }
    for (const n of row.notes) out.push(s.dim(`  ${row.node}: apply would refuse: ${n}`));
    for (const w of row.credentials?.widened ?? []) out.push(s.red(`! ${row.node} credentials: ${w} is readable by group or others`));
    for (const n of row.credentials?.notes ?? []) out.push(s.dim(`  ${row.node} credentials: ${n}`));
    // a note unless --require-credentials made it a column (then its ✗ line above says it)
    if (row.missingCredentials?.length && !row.cells['credentials']) out.push(s.yellow(`! ${row.node}: ${missingLine(row.missingCredentials)}`));
  }
  for (const e of r.credentialEvents) out.push(s.red(`credentials: ${e.node}: ${e.message}`));
  return out;
}

export function renderCheckText(input: CheckResult, s: Style): string {
  const r = escapeDeep(input);
  const nodeW = Math.max(4, ...r.rows.map((x) => x.node.length));
  const widths = r.items.map((i) => Math.max([...i].length, ...r.rows.map((x) => [...cellText(x.cells[i]!)].length)));
  const last = r.items.length - 1;
  const pad = (t: string, w: number, k = -1) => (k === last ? t : t + ' '.repeat(Math.max(0, w - [...t].length)));
  const lines = [s.bold([pad('node', nodeW), ...r.items.map((i, k) => pad(i, widths[k]!, k))].join('  '))];
  for (const row of r.rows) {
    const cells = r.items.map((i, k) => colour(row.cells[i]!, s)(pad(cellText(row.cells[i]!), widths[k]!, k)));
    lines.push([pad(row.node, nodeW), ...cells].join('  '));
  }
  lines.push(...explanations(r, s));
  const drifted = r.rows.filter(rowDrifts).map((x) => x.node);
  lines.push('');
  if (drifted.length) lines.push(`Drift on ${drifted.join(', ')}: run \`clawfleet plan\` for details.`);
  if (r.errors) lines.push('Some nodes or items could not be checked (?).');
  if (!drifted.length && !r.errors) lines.push('All nodes match the baseline.');
  return redactText(lines.join('\n') + '\n');
}

/** Every string of a JSON value redacted on its own, keys and structure kept (redacting the whole text would
 * mask the value of a key that merely looks secret, e.g. `credentialEvents`, and break the JSON). */
function redactStrings(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map(redactStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactStrings(x)]));
  return v;
}

export function checkToJson(r: CheckResult): string {
  return JSON.stringify(redactStrings(r), null, 2) + '\n';
}
