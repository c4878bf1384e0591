import type { Cell, CheckResult, CheckRow } from '../domain/check.js';
import { rowDrifts } from '../domain/check.js';
import { cellText, missingLine } from './drift-matrix.js';
import { redactText } from '../shared/redact.js';

export interface JournalRun {
  runId: string;
  at: string;
  by: string;
  status: string;
  actions: number;
}

export interface HtmlExtras {
  /** Recent runs from each node's own journal. */
  journals?: Map<string, JournalRun[] | string>;
  /** Recent watch runs and this run's alerts, when made by `watch`. */
  watchRuns?: { at: string; drift: number; unknown: number; events: number; delivered: boolean }[];
  alerts?: { kind: string; message: string }[];
}

/** Escapes text for HTML (node names, paths and messages come from the nodes: untrusted). */
function h(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:1.5em;color:#1d2430;background:#fbfcfd}
h1{font-size:1.4em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.6em 0 .5em}.muted{color:#667}
table{border-collapse:collapse;margin:.4em 0}th,td{border:1px solid #d5dae1;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#eef1f5}td.c{text-align:center;white-space:nowrap;font-family:ui-monospace,monospace}
.ok{background:#d8f3dc;color:#1b4332}.drift{background:#ffe8b3;color:#6b4500}.unknown{background:#ffd6d6;color:#7a0010}
.waived{background:#e6e6f5;color:#3b3b6b}.na{background:#f2f2f2;color:#888}
.legend span{display:inline-block;padding:.1em .5em;margin-right:.4em;border-radius:3px}
details{margin:.3em 0}summary{cursor:pointer;font-weight:600}ul{margin:.3em 0 .3em 1.2em;padding:0}code{font-size:.95em}`;

const CLASS: Record<Cell['state'], string> = { ok: 'ok', drift: 'drift', unknown: 'unknown', waived: 'waived', 'n/a': 'na' };

function cellTitle(c: Cell): string {
  if (c.state === 'unknown' || c.state === 'n/a') return c.why;
  if (c.state === 'drift') return (c.detail ?? c.what).join('\n');
  if (c.state === 'waived') return `waived until ${c.expires}: ${c.reason}`;
  return 'matches the baseline';
}

function matrix(r: CheckResult): string {
  const head = `<tr><th>node</th>${r.items.map((i) => `<th>${h(i)}</th>`).join('')}</tr>`;
  const rows = r.rows.map(
    (row) =>
      `<tr><th><a href="#node-${h(row.node)}">${h(row.node)}</a></th>${r.items
        .map((i) => {
          const c = row.cells[i]!;
          return `<td class="c ${CLASS[c.state]}" title="${h(cellTitle(c))}">${h(cellText(c))}</td>`;
        })
        .join('')}</tr>`,
  );
  return `<table id="matrix">${head}${rows.join('')}</table>`;
}

function nodeDetails(row: CheckRow, journal: JournalRun[] | string | undefined): string {
  const li: string[] = [];
  if (row.error) li.push(`<li class="unknown">not checked: ${h(row.error)}</li>`);
  for (const [item, c] of Object.entries(row.cells)) {
    if (c.state === 'ok') continue;
    li.push(`<li><b>${h(item)}</b> <span class="${CLASS[c.state]}">${h(cellText(c))}</span> ${h(cellTitle(c)).replace(/\n/g, '<br>')}</li>`);
  }
  for (const n of row.notes) li.push(`<li class="muted">apply would refuse: ${h(n)}</li>`);
  const cr = row.credentials;
  const creds = cr
    ? `<p>${cr.profiles} credential profiles in ${cr.agents} agents (${h(cr.sources.join(', '))})${cr.widened.length ? `; <span class="unknown">readable by others: ${h(cr.widened.join(', '))}</span>` : ''}${cr.notes.map((n) => `<br><span class="muted">${h(n)}</span>`).join('')}${row.missingCredentials?.length ? `<br><span class="drift">${h(missingLine(row.missingCredentials))}</span>` : ''}</p>`
    : '';
  const runs =
    typeof journal === 'string'
      ? `<p class="muted">runs: ${h(journal)}</p>`
      : journal?.length
        ? `<table><tr><th>run</th><th>status</th><th>actions</th><th>at</th><th>by</th></tr>${journal
            .slice(-5)
            .map((j) => `<tr><td><code>${h(j.runId)}</code></td><td>${h(j.status)}</td><td>${j.actions}</td><td>${h(j.at)}</td><td>${h(j.by)}</td></tr>`)
            .join('')}</table>`
        : journal
          ? '<p class="muted">no clawfleet runs recorded on this node</p>'
          : '';
  const state = row.error ? 'unknown' : rowDrifts(row) ? 'drift' : 'ok';
  return `<details id="node-${h(row.node)}"${state === 'ok' ? '' : ' open'}><summary><span class="${state}">${h(row.node)}</span>${row.openclawVersion ? ` <span class="muted">OpenClaw ${h(row.openclawVersion)}</span>` : ''}</summary><ul>${li.join('') || '<li class="ok">every item matches</li>'}</ul>${creds}${runs}</details>`;
}

/** One self-contained page (no script, no network: a CSP forbids both), for people who would rather look. */
export function renderHtmlReport(r: CheckResult, x: HtmlExtras = {}): string {
  const drifting = r.rows.filter(rowDrifts).length;
  const unknown = r.rows.filter((row) => row.error !== undefined || Object.values(row.cells).some((c) => c.state === 'unknown')).length;
  const credEvents = r.credentialEvents.length
    ? `<ul>${r.credentialEvents.map((e) => `<li class="unknown">${h(e.node)}: ${h(e.message)} <span class="muted">(first seen ${h(e.firstSeen)})</span></li>`).join('')}</ul>`
    : '<p class="muted">No credential events in this run.</p>';
  const alerts = x.alerts ? `<h2>Alerts of this run</h2>${x.alerts.length ? `<ul>${x.alerts.map((a) => `<li>${h(a.kind)}: ${h(a.message)}</li>`).join('')}</ul>` : '<p class="muted">none: nothing changed</p>'}` : '';
  const watchRuns = x.watchRuns?.length
    ? `<h2>Recent watch runs</h2><table><tr><th>at</th><th>drifting nodes</th><th>not judged</th><th>alerts</th><th>delivered</th></tr>${x.watchRuns
        .slice(-10)
        .reverse()
        .map((w) => `<tr><td>${h(w.at)}</td><td>${w.drift}</td><td>${w.unknown}</td><td>${w.events}</td><td>${w.delivered ? 'yes' : 'no (kept)'}</td></tr>`)
        .join('')}</table>`
    : '';
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>clawfleet check ${h(r.checkedAt)}</title><style>${CSS}</style></head><body>
<h1>clawfleet: ${r.rows.length} nodes × ${r.items.length} items</h1>
<p class="muted">checked ${h(r.checkedAt)} · ${drifting} drifting · ${unknown} not fully judged · ${r.credentialEvents.length} credential events</p>
<p class="legend"><span class="ok">✓ matches</span><span class="drift">✗ drifts</span><span class="unknown">? cannot be judged</span><span class="waived">~ waived</span><span class="na">– not applicable</span></p>
<h2>Matrix</h2>${matrix(r)}
<h2>Credentials</h2>${credEvents}
${alerts}
<h2>Nodes</h2>${r.rows.map((row) => nodeDetails(row, x.journals?.get(row.node))).join('\n')}
${watchRuns}
</body></html>
`;
  return redactText(page);
}
