/**
 * Caller authentication shared by the gRPC and REST edges: `Authorization: Bearer <key>` checked against
 * configured SHA-256 hashes in constant time. Callers learn only "not authenticated", never which part
 * failed (DESIGN §4, §9).
 */
import { createHash, hash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../config.js';
import type { Caller } from '../service/types.js';

/** The caller name used when the gateway runs open (no keys configured). It may read all usage: on an
 *  open gateway, whoever calls is the operator. */
export const OPEN_CALLER: Caller = Object.freeze({ keyName: 'open', admin: true });

export interface KeyVerifier {
  /** True when no keys are required. */
  readonly open: boolean;
  /** The caller for an `authorization` header value, or undefined when it is missing or wrong. */
  verify(authorization: string | undefined): Caller | undefined;
}

const bearerPattern = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;
// Keys longer than this are refused before hashing (bounds the work an attacker can make us do).
const MAX_KEY_LENGTH = 512;

/** A verifier over hashed keys; with `open`, every caller is accepted as OPEN_CALLER. */
export function createKeyVerifier(keys: readonly ApiKeyEntry[], options: { open: boolean }): KeyVerifier {
  const entries = keys.map((k) => ({ sha256: k.sha256, caller: Object.freeze({ keyName: k.name, ...(k.admin === true && { admin: true }) }) }));
  return {
    open: options.open,
    verify(authorization) {
      if (options.open) return OPEN_CALLER;
      const token = authorization === undefined ? undefined : bearerPattern.exec(authorization)?.[1];
      if (token === undefined || token.length > MAX_KEY_LENGTH) return undefined;
      // One-shot hash (Node ≥ 20.12): no Hash object per call, as createHash would make.
      const digest = hash('sha256', token, 'buffer');
      let match: Caller | undefined;
      // Compare with every key, without stopping early, so timing does not reveal which key is close.
      for (const entry of entries) {
        if (timingSafeEqual(digest, entry.sha256) && match === undefined) match = entry.caller;
      }
      return match;
    },
  };
}

/** SHA-256 hex of a key, as GATEWAY_API_KEYS expects it (`name=<hex>`). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}
