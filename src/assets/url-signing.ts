/**
 * HMAC-signed expiring URLs of the local store (DESIGN §11): the signature covers the asset id and the
 * expiry, so a URL can be neither pointed at another file nor extended. Any process with the same key
 * verifies it — replicas and restarts need IMAGE_SIGNING_KEY set; a random key dies with the process.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureCheck = 'valid' | 'bad_signature' | 'expired';

export interface UrlSigner {
  /** The `sig` query value for `id` expiring at `expires` (Unix seconds). */
  sign(id: string, expires: number): string;
  /** Checks a URL's `expires` and `sig` query values against `id` at time `nowMs`. */
  check(id: string, expires: string | undefined, sig: string | undefined, nowMs: number): SignatureCheck;
}

export function createUrlSigner(key: Buffer): UrlSigner {
  const mac = (id: string, expires: number) => createHmac('sha256', key).update(`${id}\n${expires}`).digest();
  return {
    sign: (id, expires) => mac(id, expires).toString('base64url'),
    check(id, expires, sig, nowMs) {
      if (expires === undefined || sig === undefined || !/^\d{1,12}$/.test(expires)) return 'bad_signature';
      const given = Buffer.from(sig, 'base64url');
      const expected = mac(id, Number(expires));
      // Constant time: a mismatch must not tell how many leading bytes were right.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad_signature';
      return Number(expires) * 1000 <= nowMs ? 'expired' : 'valid';
    },
  };
}
