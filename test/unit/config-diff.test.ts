import { describe, it, expect } from 'vitest';
import { configDiff } from '../../src/json5-editor/unified-diff.js';
import { mergeConfigText } from '../../src/json5-editor/merge.js';

describe('configDiff', () => {
  it('returns an empty string for equal texts', () => {
    expect(configDiff('x.json', '{ a: 1 }\n', '{ a: 1 }\n')).toBe('');
  });

  it('labels a/ and b/ and keeps 3 lines of context', () => {
    const before = ['{', '  // 1', '  // 2', '  // 3', '  // 4', '  // 5', '  a: 1', '}', ''].join('\n');
    const { text: after } = mergeConfigText(before, [{ path: ['b'], value: 2 }]);
    const d = configDiff('.openclaw/openclaw.json', before, after);
    expect(d.startsWith('--- a/.openclaw/openclaw.json\n+++ b/.openclaw/openclaw.json\n')).toBe(true);
    expect(d).toContain('@@ -4,5 +4,6 @@\n   // 3\n   // 4\n   // 5\n-  a: 1\n+  a: 1,\n+  "b": 2\n }\n');
    expect(d).not.toContain('// 2');
  });
});
