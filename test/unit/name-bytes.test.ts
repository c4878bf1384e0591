import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeName, encodeName, hasEscapedBytes } from '../../src/shared/name-bytes.js';

describe('names are bytes (shared/name-bytes.ts)', () => {
  it('keeps valid UTF-8 as itself', () => {
    expect(decodeName(Buffer.from('café-😀.md'))).toBe('café-😀.md');
    expect(hasEscapedBytes('café-😀.md')).toBe(false);
  });
  it('escapes bytes that are not UTF-8 and gets them back exactly', () => {
    const raw = Buffer.from([0x6e, 0xff, 0xfe, 0x2e, 0xc3, 0x28, 0xe2, 0x82]);
    const s = decodeName(raw);
    expect(hasEscapedBytes(s)).toBe(true);
    expect(encodeName(s).equals(raw)).toBe(true);
    expect(JSON.parse(JSON.stringify(s))).toBe(s);
  });
  it('round-trips any byte string (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => encodeName(decodeName(b)).equals(Buffer.from(b))), { numRuns: 2000 });
  });
  it('rejects overlong and surrogate encodings as bytes', () => {
    for (const raw of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
      const s = decodeName(Buffer.from(raw));
      expect(hasEscapedBytes(s)).toBe(true);
      expect(encodeName(s).equals(Buffer.from(raw))).toBe(true);
    }
  });
});
