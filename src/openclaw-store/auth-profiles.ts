/**
 * OpenClaw's credential stores, read without letting key material out: each profile is reported by id,
 * type and provider, with the names of the fields that hold secrets; the secrets themselves only reach a
 * caller-given `fingerprint` function (e.g. a keyed hash), never the return value.
 *
 * Where OpenClaw keeps profiles (`{ version, profiles: { "<id>": { type, provider, key | token | access… } } }`):
 * - up to 2026.6.1: `agents/<id>/agent/auth-profiles.json`;
 * - from 2026.6.5: the agent DB `agents/<id>/agent/openclaw-agent.sqlite`, table `auth_profile_store`
 *   (`store_json`); until doctor relocates it, `agents/main/agent/openclaw-agent.sqlite` is the legacy
 *   shared store every agent reads through;
 * - 2026.9.x: the shared store in `state/openclaw.sqlite`, `config_machine_state` row `authProfiles.store`.
 */
import { openSnapshot, StoreReadError, type SqliteSnapshot } from './sqlite.js';

export type AuthSource = 'agent-db' | 'shared-state' | 'json';

export interface AuthProfileSummary {
  source: AuthSource;
  id: string;
  type: string | null;
  provider: string | null;
  /** Names of the fields that hold secret material (key, token, access, refresh…), never their values. */
  secretFields: string[];
  /** fingerprint(value) per secret field, only when the caller passed `fingerprint`. */
  fingerprints?: Record<string, string>;
  /** What `keyed` returned for the whole profile (null: no key material), only when the caller passed `keyed`. */
  keyedFp?: string | null;
}

export interface AuthStoreReport {
  profiles: AuthProfileSummary[];
  /** Rows of OpenClaw's auth tables (auth_profile_store, auth_profile_state, the shared-state row). */
  authRows: number;
  /** Store rows whose JSON could not be read: they may hold credentials nobody can list. */
  unreadableRows: number;
  /** `auth.sharedStore` of a state DB (`{"location":"state-db"}` once doctor relocated the shared store). */
  sharedStoreLocation: string | null;
}

export interface ReadOptions {
  /** Called with each secret value; its result is reported as that field's fingerprint. */
  fingerprint?: (secret: string, at: { source: AuthSource; profile: string; field: string }) => string;
  /**
   * Called with each whole profile object (it holds key material: the callback must keep only a keyed hash of
   * it); its result is reported as `keyedFp`. Lets a caller fingerprint a profile by its own rule (e.g. the
   * credential sentinel's, the same for auth-profiles.json and SQLite).
   */
  keyed?: (profile: Readonly<Record<string, unknown>>, at: { source: AuthSource; profile: string }) => string | null;
}

const SECRET_FIELD = /^(key|apikey|token|access|refresh|secret|password|privatekey|clientsecret)$|(key|token|secret|password)$/i;

/** Profiles of one `{ version, profiles }` document; null when it is not one. */
export function profilesOf(doc: unknown, source: AuthSource, opts: ReadOptions = {}): AuthProfileSummary[] | null {
  const profiles = (doc as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== 'object' || profiles === null || Array.isArray(profiles)) return null;
  const out: AuthProfileSummary[] = [];
  for (const [id, p] of Object.entries(profiles as Record<string, unknown>)) {
    const rec = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
    const secretFields = Object.keys(rec).filter((k) => SECRET_FIELD.test(k) && typeof rec[k] === 'string' && rec[k] !== '').sort();
    const s: AuthProfileSummary = {
      source,
      id,
      type: typeof rec.type === 'string' ? rec.type : null,
      provider: typeof rec.provider === 'string' ? rec.provider : null,
      secretFields,
    };
    if (opts.fingerprint) s.fingerprints = Object.fromEntries(secretFields.map((f) => [f, opts.fingerprint!(rec[f] as string, { source, profile: id, field: f })]));
    if (opts.keyed) s.keyedFp = opts.keyed(rec, { source, profile: id });
    out.push(s);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The profiles of an `auth-profiles.json` text (null when it is not one). */
export function parseAuthProfilesJson(text: string, opts: ReadOptions = {}): AuthProfileSummary[] | null {
  try {
    return profilesOf(JSON.parse(text), 'json', opts);
  } catch {
    return null;
  }
}

function has(tables: string[], t: string): boolean {
  return tables.includes(t);
}

function readFrom(db: SqliteSnapshot, opts: ReadOptions): AuthStoreReport {
  const tables = db.tables();
  const report: AuthStoreReport = { profiles: [], authRows: 0, unreadableRows: 0, sharedStoreLocation: null };
  const docs: { source: AuthSource; json: unknown }[] = [];
  if (has(tables, 'auth_profile_store')) {
    for (const r of db.rows('SELECT store_json FROM auth_profile_store')) docs.push({ source: 'agent-db', json: r.store_json });
  }
  // state schema < 13 kept the shared store in its own table (folded into config_machine_state since)
  if (has(tables, 'auth_profile_stores')) {
    const cols = db.rows("SELECT name FROM pragma_table_info('auth_profile_stores')").map((r) => String(r.name));
    if (cols.includes('store_json')) for (const r of db.rows('SELECT store_json FROM auth_profile_stores')) docs.push({ source: 'shared-state', json: r.store_json });
    else {
      const n = Number(db.rows('SELECT count(*) AS n FROM auth_profile_stores')[0]?.n ?? 0);
      report.authRows += n;
      report.unreadableRows += n;
    }
  }
  if (has(tables, 'auth_profile_state')) report.authRows += Number(db.rows('SELECT count(*) AS n FROM auth_profile_state')[0]?.n ?? 0);
  if (has(tables, 'config_machine_state')) {
    for (const r of db.rows("SELECT state_key, value_json FROM config_machine_state WHERE state_key IN ('authProfiles.store', 'auth.sharedStore')")) {
      if (r.state_key === 'authProfiles.store') docs.push({ source: 'shared-state', json: r.value_json });
      else {
        try {
          const loc = (JSON.parse(String(r.value_json)) as { location?: unknown }).location;
          report.sharedStoreLocation = typeof loc === 'string' ? loc : null;
        } catch {
          report.sharedStoreLocation = null;
        }
      }
    }
  }
  report.authRows += docs.length;
  for (const d of docs) {
    let parsed: AuthProfileSummary[] | null = null;
    try {
      parsed = typeof d.json === 'string' ? profilesOf(JSON.parse(d.json), d.source, opts) : null;
    } catch {
      parsed = null;
    }
    if (parsed === null) report.unreadableRows++;
    else report.profiles.push(...parsed);
  }
  return report;
}

/**
 * The auth profiles of an OpenClaw SQLite store (an agent DB or `state/openclaw.sqlite`), from the bytes
 * of the DB file and, when there is one, its `-wal` file (committed transactions are applied in memory).
 * Throws StoreReadError when the bytes are not a readable SQLite DB.
 */
export async function readAuthProfiles(dbBytes: Uint8Array, walBytes?: Uint8Array | null, opts: ReadOptions = {}): Promise<AuthStoreReport> {
  const db = await openSnapshot(dbBytes, walBytes);
  try {
    return readFrom(db, opts);
  } catch (e) {
    // a malformed page met by the query (the open only checked the schema)
    throw e instanceof StoreReadError ? e : new StoreReadError((e as Error).message);
  } finally {
    db.close();
  }
}

/** Whether a report shows credentials: a profile, or a store row nobody could read (assume the worst). */
export function holdsCredentials(r: AuthStoreReport): boolean {
  return r.profiles.length > 0 || r.unreadableRows > 0;
}
