import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { ClawError } from '../domain/errors.js';
import type { CheckResult } from '../domain/check.js';
import { checkToJson, renderCheckText } from '../render/drift-matrix.js';
import { styleFor } from '../render/style.js';

export type CheckFormat = 'text' | 'json';
export const CHECK_FORMATS = 'text (default), json (schema/check.schema.json)';

export function checkFormatOf(v: unknown): CheckFormat {
  const f = String(v ?? 'text');
  if (f === 'text' || f === 'json') return f;
  throw new ClawError('USAGE', `--format must be text or json, not "${f}"`);
}

export function renderCheck(r: CheckResult, format: CheckFormat, stream: { isTTY?: boolean }): string {
  if (format === 'json') return checkToJson(r);
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
