/**
 * Secret redaction for every text clawfleet prints or stores. Two nets: values of secret-looking keys
 * (`"apiKey": "…"`, `token: '…'`), and anything shaped like a known credential wherever it stands.
 */
const SECRET_KEY = /(["']?)([A-Za-z0-9_-]*(?:key|token|secret|password|passwd|access|refresh|credential|auth|cookie|bearer)[A-Za-z0-9_-]*)\1(\s*[:=]\s*)(["'])((?:\\.|(?!\4).)*)\4/gi;

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
  let out = text.replace(SECRET_KEY, (m, q: string, key: string, sep: string, vq: string, val: string) =>
    val === '' || /^\$\{[A-Z0-9_]+\}$/.test(val) ? m : `${q}${key}${q}${sep}${vq}${REDACTED}${vq}`,
  );
  for (const re of SECRET_SHAPES) out = out.replace(re, REDACTED);
  return out;
}
