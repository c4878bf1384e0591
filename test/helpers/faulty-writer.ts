import type { NodeWriter } from '../../src/transport/types.js';

const MUTATING = new Set(['mkdir', 'symlink', 'writeFileAtomic', 'writeFileExclusive', 'appendFile', 'rename', 'replace', 'copyTree', 'copyEntries', 'adoptEntries', 'dropCopy', 'rmdir', 'unlink', 'setOwner', 'setLinkOwner']);

/**
 * Wraps a writer so that its `failAt`-th mutating call (1-based) throws, once, before doing anything.
 * Counts every mutating call so a test can learn how many write points a run has.
 */
export function faultyWriter(inner: NodeWriter, failAt: number): { writer: NodeWriter; calls: () => number } {
  let n = 0;
  const writer = new Proxy(inner, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (!MUTATING.has(String(prop))) return (v as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        n++;
        if (n === failAt) throw new Error(`injected fault at write #${n} (${String(prop)})`);
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { writer, calls: () => n };
}
