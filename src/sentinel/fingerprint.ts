import { createHmac } from 'node:crypto';

/** Keyed fingerprint of key material: HMAC-SHA256 with the fleet secret. Without the secret it says nothing about the key. */
export function fingerprinter(secret: Buffer): (material: string) => string {
  return (material) => createHmac('sha256', secret).update(material, 'utf8').digest('hex');
}

/** What humans see of a fingerprint: enough to correlate, never the whole. */
export function shortFp(fp: string): string {
  return fp.slice(0, 12);
}
