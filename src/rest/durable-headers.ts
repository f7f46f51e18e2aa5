/**
 * The REST headers that make a call durable (DESIGN §10): `Idempotency-Key` (IETF draft; per caller
 * key) and `Prefer` (RFC 7240: `respond-async`, `wait=N`). Bad values are a 400 naming the header.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { RestRequestError } from './openai-errors.js';

export interface DurableRequest {
  readonly key?: string;
  /** `Prefer: respond-async`: answer 202 with the job at once. */
  readonly respondAsync: boolean;
  /** `Prefer: wait=N`: answer the result if the job ends within N seconds, else 202 with the job. */
  readonly waitSeconds?: number;
}

/** Longest idempotency key (as Stripe and the IETF draft's examples). */
export const maxIdempotencyKeyLength = 255;
/** Longest `wait` honoured; longer waits are cut to it (RFC 7240 lets the server choose). */
export const maxWaitSeconds = 600;

function single(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) {
    if (value.length > 1) throw new RestRequestError('invalid_value', `${name}: send the header once`, [{ field: name, description: 'sent more than once' }]);
    return value[0];
  }
  return value;
}

function invalid(header: string, description: string): RestRequestError {
  return new RestRequestError('invalid_value', `${header}: ${description}`, [{ field: header, description }]);
}

/** The durable options of a request, or undefined for a plain call (the common, unchanged path). */
export function durableRequestOf(headers: IncomingHttpHeaders): DurableRequest | undefined {
  const key = single(headers, 'idempotency-key');
  const prefer = headers['prefer'];
  if (key === undefined && prefer === undefined) return undefined;
  if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw invalid('Idempotency-Key', `must be 1 to ${maxIdempotencyKeyLength} visible ASCII characters (no spaces)`);
  }
  let respondAsync = false;
  let waitSeconds: number | undefined;
  // Preferences are comma-separated, possibly over several headers; unknown ones are ignored (RFC 7240).
  for (const preference of [prefer ?? []].flat().join(',').split(',')) {
    const [name = '', value] = preference.split(';', 1)[0]!.split('=').map((part) => part.trim().toLowerCase());
    if (name === 'respond-async') respondAsync = true;
    if (name === 'wait') {
      if (value === undefined || !/^\d{1,9}$/.test(value)) throw invalid('Prefer', 'wait must be a whole number of seconds');
      waitSeconds = Math.min(Number(value), maxWaitSeconds);
    }
  }
  if (key === undefined && !respondAsync && waitSeconds === undefined) return undefined;
  return { ...(key !== undefined && { key }), respondAsync, ...(waitSeconds !== undefined && { waitSeconds }) };
}
