/**
 * The one error class users see. `node` and `path` name where; the message is one line and never
 * holds a secret or a stack.
 */
export class ClawError extends Error {
  readonly code: string;
  readonly node: string | undefined;
  readonly path: string | undefined;
  /** Several findings at once (e.g. every schema issue of a file), each a one-line message of its own; the
   *  message joins them, so the error stays one line (JSON errors list them apart). */
  readonly issues: string[] | undefined;

  constructor(code: string, message: string, where: { node?: string; path?: string; issues?: string[] } = {}) {
    super(message);
    this.name = 'ClawError';
    this.code = code;
    this.node = where.node;
    this.path = where.path;
    this.issues = where.issues;
  }

  /** "node02: /root/.openclaw/openclaw.json: invalid JSON5 at 3:7" */
  oneLine(): string {
    const parts = [this.node, this.path, this.message.replace(/\s*\n\s*/g, ' ')].filter(Boolean);
    return parts.join(': ');
  }
}

export function errorMessage(e: unknown): string {
  if (e instanceof ClawError) return e.oneLine();
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e);
}
