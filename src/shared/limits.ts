/** OpenClaw configs are kilobytes; past this, clawfleet refuses to read or rewrite one (memory, diff size). */
export const MAX_CONFIG_BYTES = 2 * 1024 * 1024;
