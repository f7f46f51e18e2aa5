/**
 * Transport failures (no HTTP answer, or an answer cut short) as GatewayErrors. Node and undici report
 * them with a string `code`, sometimes on a wrapped error further down the `cause` chain (connect-node
 * walks the chain the same way), so we look at every level.
 */
import { GatewayError, type UpstreamErrorInfo } from '../errors.js';

// Connection could not be made, was lost, or undici gave up waiting: the upstream may well answer a
// retry (DESIGN §4: connection errors are retryable).
const unavailableCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_STREAM_PREMATURE_CLOSE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_ABORTED',
  'UND_ERR_ABORT',
]);

/** The first recognised code along the `cause` chain (and inside AggregateErrors, which Node's
 *  happy-eyeballs connect throws), or undefined. Bounded depth: cause chains can be cyclic. */
export function networkErrorCode(error: unknown): string | undefined {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 16; seen++) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null) continue;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (unavailableCodes.has(code) || code.startsWith('HPE_'))) return code;
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
    if ('cause' in current) queue.push(current.cause);
  }
  return undefined;
}

/** A GatewayError for a transport failure, or undefined when `error` is not one. The message names
 *  the error code only: never the upstream URL (which may carry credentials) nor a stack. */
export function errorFromNetwork(error: unknown, upstream: UpstreamErrorInfo = {}): GatewayError | undefined {
  const code = networkErrorCode(error);
  if (code === undefined) return undefined;
  if (code.startsWith('HPE_')) {
    // The bytes on the wire were not HTTP: a protocol violation, not an outage; retrying the same
    // upstream is unlikely to help.
    return new GatewayError('UPSTREAM_BAD_RESPONSE', `the upstream sent a malformed HTTP response (${code})`, {
      upstream,
      cause: error,
    });
  }
  return new GatewayError('UPSTREAM_UNAVAILABLE', `the upstream could not be reached or dropped the connection (${code})`, {
    retryable: true,
    // `upstream.code` is kept for what the upstream said; a transport code is ours, so it stays in the
    // message only.
    upstream,
    cause: error,
  });
}
