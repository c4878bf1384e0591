/**
 * Every code a ClawError carries (the `code` of a JSON error document): one union, so that a new code is
 * added here once and a switch over codes is checked for exhaustiveness.
 */
export type ErrorCode =
  | ErrnoCode
  | 'HOSTKEY_CERT'
  | 'HOSTKEY_CHANGED'
  | 'ALIVE'
  | 'AUTH_FAILED'
  | 'BECOME_FAILED'
  | 'CONFLICT'
  | 'CONN_LOST'
  | 'CONN_REFUSED'
  | 'CONN_RESET'
  | 'DNS'
  | 'EEXIST'
  | 'EINVAL'
  | 'EIO'
  | 'ELOOP'
  | 'ENOENT'
  | 'EPATH'
  | 'EWRITE'
  | 'EXEC_FAILED'
  | 'HOSTKEY_REVOKED'
  | 'HOSTKEY_UNKNOWN'
  | 'INSTALL'
  | 'INTERRUPTED'
  | 'INVALID_CONFIG'
  | 'JOURNAL'
  | 'KEY_ENCRYPTED'
  | 'KEY_INVALID'
  | 'LIMIT'
  | 'LOCKED'
  | 'LOCK_LOST'
  | 'MERGE'
  | 'NOFOLLOW'
  | 'NOLOCK'
  | 'NORUN'
  | 'PLAN'
  | 'PLANFILE'
  | 'PROTECTED'
  | 'PROXY_FAILED'
  | 'ROLLBACK_REFUSED'
  | 'SCHEMA'
  | 'SECRET'
  | 'SSH_CONFIG'
  | 'SSH_ERROR'
  | 'STALE'
  | 'STATE'
  | 'TIMEOUT'
  | 'UNHEALTHY'
  | 'UNREACHABLE'
  | 'UNTRUSTED'
  | 'USAGE'
  | 'VALIDATE_FAILED'
  | 'VERIFY'
  | 'YAML';

/** A node's errno code (ENOENT, EACCES, ENAMETOOLONG…), passed on as the file system or SFTP named it. */
export type ErrnoCode = `E${string}`;

/**
 * The one error class users see. `node` and `path` name where; the message is one line and never
 * holds a secret or a stack.
 */
export class ClawError extends Error {
  readonly code: ErrorCode;
  readonly node: string | undefined;
  readonly path: string | undefined;
  /** Several findings at once (e.g. every schema issue of a file), each a one-line message of its own; the
   *  message joins them, so the error stays one line (JSON errors list them apart). */
  readonly issues: string[] | undefined;

  constructor(code: ErrorCode, message: string, where: { node?: string; path?: string; issues?: string[] } = {}) {
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

/** One node's failure: what its error said (errorMessage), and whether it was a clawfleet bug (InternalError). */
export interface NodeFailure {
  node: string;
  ok: false;
  error: string;
  internal?: true;
}

/** The one per-node outcome shape: what one node gave, or its failure (shown by render/node-failure.ts). */
export type NodeOutcome<R> = { node: string; ok: true; value: R } | NodeFailure;

/**
 * "node02: message": the one place a message gets its node's name in front; a message that already names its
 * node (a ClawError with `node`) keeps it once.
 */
export function withNode(node: string, message: string): string {
  return message.startsWith(`${node}: `) ? message : `${node}: ${message}`;
}

/** The message without its leading "node02: ", for text that names the node itself. */
export function withoutNode(node: string, message: string): string {
  return message.startsWith(`${node}: `) ? message.slice(node.length + 2) : message;
}

export function nodeFailure(node: string, e: unknown): NodeFailure {
  const f: NodeFailure = { node, ok: false, error: errorMessage(e) };
  if (e instanceof InternalError) f.internal = true;
  return f;
}

export function errorMessage(e: unknown): string {
  if (e instanceof ClawError) return e.oneLine();
  if (e instanceof Error) return e.message.split('\n')[0] ?? String(e);
  return String(e);
}

/**
 * A broken invariant inside clawfleet (not a node, file or user error): the CLI says it is a clawfleet bug and
 * prints the stack, whatever the verbosity.
 */
export class InternalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InternalError';
  }
}
