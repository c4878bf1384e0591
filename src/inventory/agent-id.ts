/** OpenClaw's own agent id rule. Anything else never reaches a path or a shell. */
export const AGENT_ID_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/i;
/** Node and group names: the same alphabet, plus dots (host-like names). */
export const NODE_NAME_RE = /^[a-z0-9][a-z0-9_.-]{0,63}$/i;

export function isAgentId(s: string): boolean {
  return AGENT_ID_RE.test(s);
}
