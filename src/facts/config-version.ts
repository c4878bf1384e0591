import JSON5 from 'json5';

/** `meta.lastTouchedVersion` of a config text, or null (invalid text is the planner's to report). */
export function recordedVersion(text: string): string | null {
  try {
    const v = (JSON5.parse(text) as { meta?: { lastTouchedVersion?: unknown } })?.meta?.lastTouchedVersion;
    return typeof v === 'string' && /^\d{4}\.\d+\.\d+/.test(v) ? /^\d{4}\.\d+\.\d+/.exec(v)![0] : null;
  } catch {
    return null;
  }
}
