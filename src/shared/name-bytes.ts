import { isUtf8 } from 'node:buffer';

/**
 * File names are bytes. A name read from a node travels through clawfleet as a JS string: valid UTF-8 as
 * itself, and every byte that is not part of valid UTF-8 as one lone surrogate U+DC80–U+DCFF (Python's
 * "surrogateescape"). Valid UTF-8 never decodes to a lone surrogate, so the form is unambiguous; JSON keeps
 * lone surrogates as `\udcXX` escapes, so plans and journals carry names exactly; every transport turns the
 * string back into the very bytes before it reaches the node.
 */

const LOW = 0xdc80;

/** Bytes → string, losslessly. */
export function decodeName(b: Uint8Array): string {
  if (isUtf8(b)) return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    let cp = 0;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) [n, cp] = [1, c & 0x1f];
    else if (c >= 0xe0 && c <= 0xef) [n, cp] = [2, c & 0x0f];
    else if (c >= 0xf0 && c <= 0xf4) [n, cp] = [3, c & 0x07];
    let ok = n > 0 && i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not valid UTF-8.
    if (ok && ((n === 2 && cp < 0x800) || (n === 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
    if (!ok) {
      out += String.fromCharCode(LOW + (c - 0x80));
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/** String → the bytes it stands for (the inverse of decodeName). */
export function encodeName(s: string): Buffer {
  if (!hasEscapedBytes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let run = '';
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    const lone = u >= LOW && u <= 0xdcff && !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff);
    if (lone) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.from([u - LOW + 0x80]));
    } else run += s[i];
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** Whether `s` holds a byte that is not valid UTF-8 (so it cannot travel as plain UTF-8 text). */
export function hasEscapedBytes(s: string): boolean {
  return /(?<![\ud800-\udbff])[\udc80-\udcff]/.test(s);
}

/** Length in bytes on the node. */
export function byteLength(s: string): number {
  return hasEscapedBytes(s) ? encodeName(s).length : Buffer.byteLength(s, 'utf8');
}
