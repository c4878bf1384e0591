/**
 * Reading OpenClaw's SQLite stores on the operator's side, never on the node: the caller fetches the DB
 * file and its `-wal` (plain reads, e.g. SFTP), this module applies the WAL in memory and reads the rows.
 * Used by the facts (which agent dirs own credentials) and by anything that fingerprints keys over time.
 */
export { applyWal, readWal, WalError, type WalCommitted } from './wal.js';
export { openSnapshot, StoreReadError, type SqliteSnapshot } from './sqlite.js';
export {
  holdsCredentials,
  parseAuthProfilesJson,
  profilesOf,
  readAuthProfiles,
  type AuthProfileSummary,
  type AuthSource,
  type AuthStoreReport,
  type ReadOptions,
} from './auth-profiles.js';
export { fetchStoreBytes, type StoreBytes } from './fetch.js';
