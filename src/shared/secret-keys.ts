/**
 * Is a key name one whose value is a credential? Pure, linear in the key's length. Key names are split into
 * words (camelCase, snake_case, kebab-case, dots, spaces) and lower-cased, in several spellings and languages.
 *
 * Two strengths:
 * - `secretKeyBroad`: any word names a secret (`cdpAuth`, `accessMode`, `auth-profiles` too). Used to redact
 *   quoted values in free text (messages, handler output), where hiding too much costs nothing.
 * - `secretKeyStrict`: the key's LAST word is a credential noun (`apiKey`, `gateway.auth.token`,
 *   `mot de passe`), not a mode or a path (`cdpAuth`, `authMode`, `keyFile`). Used to redact unquoted values
 *   and to refuse literal secrets in baselines and overrides at load.
 */

/** Credential nouns, any language (lower case, accents kept and dropped). */
const NOUNS = [
  'key', 'apikey', 'api_key', 'token', 'secret', 'password', 'passwd', 'pass', 'pw', 'pwd', 'pin', 'passphrase',
  'passcode', 'credential', 'credentials', 'cookie', 'cookies', 'authorization', 'bearer', 'dsn', 'sig',
  'signature', 'privatekey', 'secretkey', 'accesskey', 'sessionkey', 'masterkey', 'signingkey', 'encryptionkey',
  'recoverykey', 'webhookurl', 'jwt', 'totp', 'hmac', 'mdp',
  // German, Dutch, Scandinavian, Finnish, Polish, Czech, Hungarian, Turkish
  'passwort', 'kennwort', 'geheim', 'geheimnis', 'schlüssel', 'schluessel', 'wachtwoord', 'sleutel', 'losenord',
  'lösenord', 'passord', 'adgangskode', 'salasana', 'haslo', 'hasło', 'heslo', 'jelszo', 'jelszó', 'sifre', 'şifre',
  // French, Spanish, Portuguese, Italian
  'motdepasse', 'passe', 'clé', 'cle', 'jeton', 'contraseña', 'contrasena', 'clave', 'secreto', 'senha', 'chave',
  'segredo', 'parola', 'segreto', 'chiave',
  // Russian, Chinese, Japanese, Korean, Arabic
  'пароль', 'токен', 'ключ', 'секрет', '密码', '密碼', '令牌', '密钥', '秘钥', 'パスワード', 'トークン', '秘密鍵', '비밀번호', '토큰',
  'كلمة_المرور', 'كلمةالمرور', 'رمز',
];
const NOUN_SET = new Set(NOUNS);

/** Words that make a key secret-looking for the broad test only (whole words): too common as modes or flags. */
const BROAD_WORDS = new Set(['access', 'refresh', 'webhook', 'sig', 'salt', 'otp', 'auth', 'private', 'session']);

/** Stems that make any key secret-looking for the broad test (substrings of the joined key). */
const BROAD_STEMS = ['auth', 'token', 'secret', 'passw', 'credential', 'cookie', 'bearer', 'apikey', 'privatekey', 'webhook', 'session', 'signing'];

/** A `key` that is not a credential: `publicKey`, `sortKey`, `keyFile` (last word file) … */
const HARMLESS_BEFORE_KEY = new Set(['public', 'sort', 'primary', 'partition', 'foreign', 'idempotency', 'cache', 'hot', 'group', 'dedupe', 'dedup', 'lookup', 'route', 'routing', 'map', 'hash', 'shortcut', 'short']);

/** Split a key name into lower-case words. */
export function keyWords(key: string): string[] {
  const words: string[] = [];
  let cur = '';
  let prevLower = false;
  for (const ch of key) {
    const isSep = ch === '_' || ch === '-' || ch === '.' || ch === ' ' || ch === '/' || ch === ':' || ch === '\t' || ch === "'" || ch === '"';
    if (isSep) {
      if (cur) words.push(cur.toLowerCase());
      cur = '';
      prevLower = false;
      continue;
    }
    const upper = ch !== ch.toLowerCase() && ch === ch.toUpperCase();
    if (upper && prevLower && cur) {
      words.push(cur.toLowerCase());
      cur = '';
    }
    cur += ch;
    prevLower = !upper && ch !== ch.toUpperCase();
  }
  if (cur) words.push(cur.toLowerCase());
  return words;
}

function joined(words: string[]): string {
  return words.join('');
}

/**
 * Every secret key holds one of the words above in its lower-cased text, or a non-ASCII letter: a cheap
 * test that skips the word split for the common key (`enabled`, `level`, `path`…).
 */
const MAYBE = new RegExp([...NOUNS, ...BROAD_WORDS, ...BROAD_STEMS].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') + '|[^\\x00-\\x7f]');

export function secretKeyStrict(key: string): boolean {
  if (!MAYBE.test(key.toLowerCase())) return false;
  const w = keyWords(key);
  if (w.length === 0) return false;
  const last = w[w.length - 1]!;
  if (last === 'key' && w.length > 1 && HARMLESS_BEFORE_KEY.has(w[w.length - 2]!)) return false;
  if (NOUN_SET.has(last)) return true;
  // "mot de passe", "api key" written as one or more words, "x-api-key", "client_secret"
  const all = joined(w);
  return NOUN_SET.has(all) || NOUNS.some((n) => n.length >= 5 && all.endsWith(n));
}

export function secretKeyBroad(key: string): boolean {
  if (!MAYBE.test(key.toLowerCase())) return false;
  if (secretKeyStrict(key)) return true;
  const w = keyWords(key);
  if (w.some((x) => BROAD_WORDS.has(x))) return true;
  if (w.some((x) => NOUN_SET.has(x))) return !(w.includes('key') && w.length > 1 && w.some((x) => HARMLESS_BEFORE_KEY.has(x)));
  const all = joined(w);
  return BROAD_STEMS.some((s) => all.includes(s));
}
