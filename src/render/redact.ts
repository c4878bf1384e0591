/**
 * Secret redaction for every text clawfleet prints or stores. Two nets: values of secret-looking keys
 * (`"apiKey": "…"`, `token: '…'`), and anything shaped like a known credential wherever it stands.
 */
// A whole key name (never starting inside a longer name), then its quoted value. The secret words are checked
// on the matched name, not inside the pattern: `[A-Za-z0-9_-]*(?:key|…)[A-Za-z0-9_-]*` backtracks quadratically
// on a long name-like run (a 12 MB config with a long base64 string took minutes to plan).
// The values are unrolled loops (`[^"\\]*(?:\\.[^"\\]*)*`) for the same reason: no backtracking state per character.
const KEY_VALUE = /(?<![A-Za-z0-9_-])(["']?)([A-Za-z0-9_-]+)\1(\s*[:=]\s*)(?:"([^"\\\n]*(?:\\.[^"\\\n]*)*)"|'([^'\\\n]*(?:\\.[^'\\\n]*)*)')/g;
const SECRET_WORD = /key|token|secret|password|passwd|access|refresh|credential|auth|cookie|bearer/i;

const SECRET_SHAPES: RegExp[] = [
  /sk-ant-[A-Za-z0-9_-]{8,}/g, // Anthropic
  /sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}/g, // OpenAI-style and similar
  /gh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub
  /github_pat_[A-Za-z0-9_]{20,}/g,
  /xox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /AIza[0-9A-Za-z_-]{30,}/g, // Google
  /AKIA[0-9A-Z]{16}/g, // AWS access key id
  /ya29\.[0-9A-Za-z_-]{20,}/g, // Google OAuth
  /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, // JWT
  /\b[0-9]{8,10}:[A-Za-z0-9_-]{35}\b/g, // Telegram bot token
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];

export const REDACTED = '«redacted»';

export function redactText(text: string): string {
  let out = text.replace(KEY_VALUE, (m, q: string, key: string, sep: string, dq: string | undefined, sq: string | undefined) => {
    const val = dq ?? sq ?? '';
    const vq = dq !== undefined ? '"' : "'";
    return !SECRET_WORD.test(key) || val === '' || /^\$\{[A-Z0-9_]+\}$/.test(val) ? m : `${q}${key}${q}${sep}${vq}${REDACTED}${vq}`;
  });
  for (const re of SECRET_SHAPES) out = out.replace(re, REDACTED);
  return out;
}
