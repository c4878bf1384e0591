import type { Manifest, ProbeResult } from '../../src/domain/facts.js';

/**
 * A manifest's content: the files' stamps and the walk's clock left out (only GNU find and the local transport
 * give them, each in its own spelling, and the clock differs between two walks), for comparing what two probes
 * found. The stamp tests look at those fields themselves.
 */
export function content(m: Manifest | null | undefined): Manifest | null | undefined {
  return m && { entries: m.entries.map(({ stamp: _s, ...e }) => e), digest: m.digest };
}

/** A probe's answer with every manifest as its content. */
export function contentOf(r: ProbeResult): ProbeResult {
  return { ...r, manifest: Object.fromEntries(Object.entries(r.manifest).map(([k, m]) => [k, content(m) ?? null])) };
}
