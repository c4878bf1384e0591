/**
 * Globs (relative to the OpenClaw home, `*` = one name) that are protected whatever a baseline's own
 * `protected` list says: OpenClaw's credential file, and the copies its upgrades rename it to
 * (`auth-profiles.json.migrated-…`, `…sqlite-import.<ts>.bak`). Where the credentials moved into SQLite
 * (OpenClaw ≥ 2026.6.5) the JSON's absence is by design: nothing clawfleet plans or runs may recreate it.
 */
export const BUILTIN_PROTECTED: readonly string[] = ['agents/*/agent/auth-profiles.json', 'agents/*/agent/auth-profiles.json.*'];
