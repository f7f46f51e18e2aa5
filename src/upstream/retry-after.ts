/**
 * `Retry-After` (RFC 9110 §10.2.3: delay-seconds or an HTTP-date) and OpenAI's `retry-after-ms`, as a
 * delay in ms for GatewayError.retryAfterMs. The core honours it when it retries (DESIGN §4).
 */

/** Upper bound of a delay we pass on: an upstream asking for more is treated as asking for this. The
 *  core retries within the caller's deadline, so a longer wait would only ever mean "give up". */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * The delay in ms, capped at MAX_RETRY_AFTER_MS; undefined when no header is usable.
 * @param retryAfter the `Retry-After` header value
 * @param retryAfterMs the `retry-after-ms` header value (preferred: finer grained)
 * @param now the current time, for HTTP-dates
 */
export function parseRetryAfter(
  retryAfter: string | undefined,
  retryAfterMs: string | undefined,
  now: number = Date.now(),
): number | undefined {
  const ms = retryAfterMs === undefined ? undefined : nonNegative(Number(retryAfterMs.trim()));
  if (ms !== undefined) return cap(ms);
  if (retryAfter === undefined) return undefined;
  const text = retryAfter.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return cap(Number(text) * 1000);
  // HTTP-date; a date in the past means "now".
  const at = Date.parse(text);
  if (Number.isNaN(at) || !/[a-z]/i.test(text)) return undefined;
  return cap(Math.max(0, at - now));
}

function nonNegative(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function cap(ms: number): number {
  return Math.min(Math.round(ms), MAX_RETRY_AFTER_MS);
}
