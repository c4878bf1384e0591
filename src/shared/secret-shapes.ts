/**
 * Credentials recognisable by their shape, wherever they stand. Every pattern runs in linear time over any
 * input: it starts only where a token starts (`(?<![\w-])`, so a long run of token characters is entered
 * once, not at each of its characters), its first element is a literal, and what follows either consumes the
 * whole run (`[…]{n,}` with nothing after it) or is bounded (`{n,m}`). Nothing here can rescan a run
 * quadratically, as the old `eyJ…` and `sk-…` patterns did on a long line of token characters.
 * A match is replaced by `«redacted»`, or, for the patterns with a `keep` group 1, keeps that group.
 */
import { InternalError } from '../domain/errors.js';
const B = '(?<![A-Za-z0-9_-])';

export interface Shape {
  name: string;
  re: RegExp;
  /** The pattern's group 1 is kept (a label such as `Bearer ` or `https://user:`), the rest is redacted. */
  keep?: boolean;
  /** Literals one of which every match contains: when none occurs in a text (a fast indexOf), the pattern is skipped. */
  hints: string[];
}

/** The pattern's leading literal is its hint unless others are given. */
const s = (name: string, body: string, keep = false, hints?: string[]): Shape => {
  const lead = body.replace(/^\(\?<!\[[^\]]*\]\)/, '').replace(/^\(/, '').match(/^(?:[A-Za-z0-9_:/-]|\\\.)+/);
  const h = hints ?? (lead ? [lead[0].replace(/\\\./g, '.')] : []);
  if (h.length === 0) throw new InternalError(`secret shape ${name} needs hints`);
  return { name, re: new RegExp(body, 'g'), keep, hints: h };
};

export const SECRET_SHAPES: Shape[] = [
  // Model providers
  s('anthropic', `${B}sk-ant-[A-Za-z0-9_-]{16,}`),
  s('openrouter', `${B}sk-or-v1-[A-Za-z0-9]{16,}`),
  s('openai-project', `${B}sk-(?:proj|svcacct|admin|live|test)-[A-Za-z0-9_-]{16,}`, false, ['sk-']),
  s('openai-style', `${B}sk-[A-Za-z0-9]{20,}`),
  s('elevenlabs', `${B}sk_[A-Za-z0-9]{32,}`),
  s('groq', `${B}gsk_[A-Za-z0-9]{20,}`),
  s('xai', `${B}xai-[A-Za-z0-9]{20,}`),
  s('perplexity', `${B}pplx-[A-Za-z0-9]{20,}`),
  s('fireworks', `${B}fw_[A-Za-z0-9]{16,}`),
  s('nvidia', `${B}nvapi-[A-Za-z0-9_-]{20,}`),
  s('huggingface', `${B}hf_[A-Za-z0-9]{20,}`),
  s('replicate', `${B}r8_[A-Za-z0-9]{20,}`),
  s('cerebras', `${B}csk-[A-Za-z0-9]{20,}`),
  s('tavily', `${B}tvly-[A-Za-z0-9_-]{16,}`),
  s('langsmith', `${B}lsv2_(?:pt|sk)_[A-Za-z0-9_]{16,}`, false, ['lsv2_']),
  s('google-api', `${B}AIza[0-9A-Za-z_-]{30,}`),
  s('google-oauth', `${B}ya29\\.[0-9A-Za-z_-]{16,}`),
  s('google-refresh', `${B}1//0[0-9A-Za-z_-]{30,}`),
  // Chat platforms
  s('slack', `${B}xox[abposre]-[A-Za-z0-9-]{10,}`, false, ['xox']),
  s('slack-app', `${B}xapp-[0-9]-[A-Za-z0-9-]{10,}`, false, ['xapp-']),
  s('slack-webhook', `(hooks\\.slack\\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]{8,}`, true, ['hooks.slack.com/']),
  s('discord-webhook', `(discord(?:app)?\\.com/api/webhooks/)[0-9]{5,24}/[A-Za-z0-9_-]{16,}`, true, ['/api/webhooks/']),
  s('teams-webhook', `(\\.webhook\\.office\\.com/)[A-Za-z0-9@/_.-]{16,}`, true, ['.webhook.office.com/']),
  s('discord-bot', `${B}[MNO][A-Za-z0-9_-]{23,27}\\.[A-Za-z0-9_-]{6,7}\\.[A-Za-z0-9_-]{27,40}`, false, ['.']),
  s('telegram-bot', `${B}[0-9]{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])`, false, [':']),
  s('matrix', `${B}syt_[A-Za-z0-9_]{16,}`),
  s('twitch', `${B}oauth:[a-z0-9]{24,}`),
  s('meta-whatsapp', `${B}EAA[A-Za-z0-9]{32,}`),
  s('nostr', `${B}nsec1[02-9ac-hj-np-z]{20,}`),
  s('twilio', `${B}(?:SK|AC)[0-9a-f]{32}(?![A-Za-z0-9])`, false, ['SK', 'AC']),
  // Code hosts, package registries, SaaS
  s('github', `${B}gh[pousr]_[A-Za-z0-9]{20,}`, false, ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_']),
  s('github-pat', `${B}github_pat_[A-Za-z0-9_]{20,}`),
  s('gitlab', `${B}glpat-[A-Za-z0-9_-]{20,}`),
  s('npm', `${B}npm_[A-Za-z0-9]{30,}`),
  s('pypi', `${B}pypi-[A-Za-z0-9_-]{40,}`),
  s('stripe', `${B}[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}`, false, ['k_live_', 'k_test_']),
  s('sendgrid', `${B}SG\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}`),
  s('mailgun', `${B}key-[0-9a-f]{32}(?![A-Za-z0-9])`),
  s('notion', `${B}(?:secret_|ntn_)[A-Za-z0-9]{30,}`, false, ['secret_', 'ntn_']),
  s('linear', `${B}lin_api_[A-Za-z0-9]{30,}`),
  s('atlassian', `${B}ATATT3[A-Za-z0-9_=-]{30,}`),
  s('shopify', `${B}shp(?:at|ca|pa|ss)_[A-Fa-f0-9]{24,}`, false, ['shp']),
  s('digitalocean', `${B}do[opr]_v1_[a-f0-9]{40,}`, false, ['_v1_']),
  // Cloud keys
  s('aws-key-id', `${B}(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Za-z0-9])`, false, ['AKIA', 'ASIA', 'ABIA', 'ACCA']),
  s('azure-account-key', `(AccountKey=)[A-Za-z0-9+/=]{20,}`, true, ['AccountKey=']),
  s('azure-sas', `([?&]sig=)[A-Za-z0-9%+/=]{16,}`, true, ['sig=']),
  // Generic forms
  // (?=(x+))\\1 is an atomic group: a run that is not followed by a dot is given up at once, never backtracked.
  s('jwt', `${B}eyJ(?=([A-Za-z0-9_-]{8,}))\\1\\.(?=([A-Za-z0-9_-]{8,}))\\2\\.[A-Za-z0-9_-]{8,}`, false, ['eyJ']),
  s('private-key', '-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----[\\s\\S]*?(?:-----END [A-Z ]{0,40}PRIVATE KEY-----|$)', false, ['-----BEGIN ']),
  s('url-credentials', `(://[^\\s/?#@:'"\`<>]{0,256}:)[^\\s/?#@'"\`<>]{1,512}(?=@)`, true, ['://']),
  s('authorization-scheme', `((?<![A-Za-z0-9_-])(?:[Bb]earer|[Bb]asic|[Dd]igest|Bot|[Tt]oken)[ \\t]{1,8})[A-Za-z0-9._~+/=:-]{8,}`, true, ['earer', 'asic', 'igest', 'Bot', 'oken']),
  s('curl-user', `((?<![A-Za-z0-9_-])(?:-u|--user)[ =]?[^\\s:'"]{1,128}:)[^\\s'"]{1,256}`, true, ['-u']),
];

export const REDACTED = '«redacted»';

export function redactShapes(text: string): string {
  let out = text;
  for (const shape of SECRET_SHAPES) {
    if (!shape.hints.some((h) => out.includes(h))) continue;
    shape.re.lastIndex = 0;
    out = shape.keep ? out.replace(shape.re, (_m, keep: string) => keep + REDACTED) : out.replace(shape.re, REDACTED);
  }
  return out;
}

/** Does a value contain something shaped like a credential? (load-time checks of baselines and overrides) */
export function hasSecretShape(text: string): boolean {
  return SECRET_SHAPES.some((shape) => {
    if (!shape.hints.some((h) => text.includes(h))) return false;
    shape.re.lastIndex = 0;
    const hit = shape.re.test(text);
    shape.re.lastIndex = 0;
    return hit;
  });
}
