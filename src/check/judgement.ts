import type { Cell } from '../domain/check.js';

/** Collects what one item's checks found; the worst finding wins: unknown, then drift, then ok. */
export class Judgement {
  private readonly what: string[] = [];
  private readonly detail: string[] = [];
  private why: string | null = null;

  drift(what: string, detail?: string): void {
    if (!this.what.includes(what)) this.what.push(what);
    if (detail !== undefined && !this.detail.includes(detail)) this.detail.push(detail);
  }

  unknown(why: string): void {
    this.why ??= why;
  }

  cell(): Cell {
    if (this.why !== null) return { state: 'unknown', why: this.why };
    if (this.what.length === 0) return { state: 'ok' };
    return this.detail.length ? { state: 'drift', what: this.what, detail: this.detail } : { state: 'drift', what: this.what };
  }
}
