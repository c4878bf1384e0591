import { ClawError } from '../domain/errors.js';

/** A count of nodes, or a percentage of the nodes a rollout covers (`--batch 10`, `--max-fail 5%`). */
export type Amount = { kind: 'count'; n: number } | { kind: 'percent'; p: number };

/** Parses `N` (a whole number ≥ min) or `P%` (0 < P ≤ 100; `0%` only where min is 0). */
export function parseAmount(option: string, text: string, min: 0 | 1): Amount {
  const t = text.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct) {
    const p = Number(pct[1]);
    if (p <= 100 && (p > 0 || min === 0)) return { kind: 'percent', p };
  } else if (/^\d+$/.test(t) && Number(t) >= min) {
    return { kind: 'count', n: Number(t) };
  }
  const what = min === 0 ? 'a whole number (0 or more)' : 'a whole number (1 or more)';
  throw new ClawError('USAGE', `--${option} must be ${what} or a percentage like 10%, not "${text}"`);
}

/** The number of nodes an amount means out of `total`. Percent of a batch rounds up (never 0 nodes). */
export function batchSize(a: Amount, total: number): number {
  if (a.kind === 'count') return a.n;
  return Math.max(1, Math.ceil((a.p * total) / 100));
}

/**
 * How many failed nodes a rollout tolerates before it stops: `N` → N; `P%` → the failures that stay within
 * P% of `total` (like Ansible's max_fail_percentage: the rollout stops once failures exceed the share).
 */
export function failuresAllowed(a: Amount, total: number): number {
  if (a.kind === 'count') return a.n;
  return Math.floor((a.p * total) / 100 + 1e-9);
}

export function amountText(a: Amount): string {
  return a.kind === 'count' ? String(a.n) : `${a.p}%`;
}
