/**
 * Config values in baselines and inventory overrides drive apply: they are written to the nodes byte for
 * byte and are never redacted (see render/plan-safe.ts). So they must hold no secret: a value shaped like a
 * credential, or any literal under a key that names one (`token`, `apiKey`, `password`, `pin`, …) is refused
 * at load. `${VAR}` references (OpenClaw substitutes them on the node) and empty strings are fine, and so are
 * values under keys that merely mention auth (`cdpAuth: "none"`, `auth.mode: "token"`).
 */
import { secretKeyStrict } from '../shared/secret-keys.js';
import { hasSecretShape } from '../shared/secret-shapes.js';

const ENV_REF = /^\$\{[A-Z0-9_]+\}$/;

export interface LiteralSecret {
  /** Key path from the value's root, e.g. ["gateway", "auth", "token"]. */
  path: (string | number)[];
  why: string;
}

export function findLiteralSecret(value: unknown, path: (string | number)[] = []): LiteralSecret | null {
  const key = [...path].reverse().find((p): p is string => typeof p === 'string');
  if (typeof value === 'string') {
    if (hasSecretShape(value)) return { path, why: 'is shaped like a credential' };
    if (key !== undefined && secretKeyStrict(key) && value !== '' && !ENV_REF.test(value)) return { path, why: `is a literal value under the secret-named key "${key}"` };
    return null;
  }
  if (typeof value === 'number' && key !== undefined && secretKeyStrict(key)) return { path, why: `is a literal value under the secret-named key "${key}"` };
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const hit = findLiteralSecret(v, [...path, i]);
      if (hit) return hit;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (hasSecretShape(k)) return { path: [...path, k], why: 'is a key shaped like a credential' };
      const hit = findLiteralSecret(v, [...path, k]);
      if (hit) return hit;
    }
  }
  return null;
}

export const LITERAL_SECRET_HINT = 'keep secrets out of baselines and inventories (they are written to every node and shown in plans): use a ${VAR} reference';
