import { ClawError } from '../domain/errors.js';
import type { Baseline } from './baseline-schema.js';
import { findLiteralSecret, LITERAL_SECRET_HINT } from './literal-secrets.js';
import { keyPath, YamlLines } from './yaml-lines.js';

/** A baseline's section values are written to every node and shown in plans: no literal secret in them. */
export function checkBaselineSecrets(b: Baseline, file: string, text: string): void {
  for (const [i, s] of b.config.sections.entries()) {
    const hit = findLiteralSecret(s.value);
    if (!hit) continue;
    const path = ['config', 'sections', i, 'value', ...hit.path];
    const line = new YamlLines(text).lineOf(path);
    throw new ClawError('SCHEMA', `${line ? `line ${line}: ` : ''}${keyPath(path)} (${s.path}): ${hit.why}: ${LITERAL_SECRET_HINT}`, { path: file });
  }
}
