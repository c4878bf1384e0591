/**
 * The fields that hold a profile's key, by profile type. OAuth access tokens expire within hours and are
 * renewed by the gateway: the refresh token is what identifies the grant. One rule for every source, so a
 * key that OpenClaw moves from auth-profiles.json into SQLite keeps its fingerprint.
 */
const KEY_FIELDS: Record<string, string[]> = {
  api_key: ['key', 'apiKey'],
  token: ['token'],
  oauth: ['refresh', 'refreshToken'],
};
const ANY_SECRET = /key|token|secret|refresh|password/i;

/** The key material of one profile (what its fingerprint is taken of), or null when it holds none. */
export function keyMaterial(p: Readonly<Record<string, unknown>>): string | null {
  const type = typeof p.type === 'string' ? p.type : '';
  const fields = KEY_FIELDS[type] ?? Object.keys(p).filter((k) => ANY_SECRET.test(k)).sort();
  const parts = fields.map((f) => p[f]).filter((v): v is string => typeof v === 'string' && v !== '');
  return parts.length ? parts.join('\u0000') : null;
}
