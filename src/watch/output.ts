import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { ClawError } from '../domain/errors.js';
import type { CheckResult } from '../domain/check.js';
import { checkToJson, renderCheckText } from '../render/drift-matrix.js';
import { renderHtmlReport, type HtmlExtras } from '../render/html-report.js';
import { renderPrometheus, type WatchMetrics } from '../render/prometheus.js';
import { styleFor } from '../terminal/style.js';

export type CheckFormat = 'text' | 'json' | 'prometheus' | 'html';
export const CHECK_FORMATS = `text (default), json (schema/check.schema.json), prometheus (node_exporter
                            textfile) or html (one self-contained page: matrix, details, credentials, runs)`;

export function checkFormatOf(v: unknown): CheckFormat {
  const f = String(v ?? 'text');
  if (f === 'text' || f === 'json' || f === 'prometheus' || f === 'html') return f;
  throw new ClawError('USAGE', `--format must be text, json, prometheus or html, not "${f}"`);
}

export function renderCheck(r: CheckResult, format: CheckFormat, stream: { isTTY?: boolean }, x: { html?: HtmlExtras; metrics?: WatchMetrics } = {}): string {
  if (format === 'json') return checkToJson(r);
  if (format === 'prometheus') return renderPrometheus(r, x.metrics);
  if (format === 'html') return renderHtmlReport(r, x.html);
  return renderCheckText(r, styleFor(stream));
}

/** To stdout, or to FILE by temp file + rename (a node_exporter textfile collector never sees half a file). */
export async function writeOutput(text: string, file: string | undefined, out: NodeJS.WritableStream): Promise<void> {
  if (!file) {
    out.write(text);
    return;
  }
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    throw new ClawError('EWRITE', `cannot write: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path: file });
  }
}
