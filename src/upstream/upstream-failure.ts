/**
 * What an upstream said when it refused a request, read from an HTTP error answer or from an SSE error
 * frame, in one vendor-neutral shape. Both Ark (reference §2.1) and OpenAI-style relays (§4.4) use the
 * envelope `{"error":{"code","message","param","type"}}`; the vendor mappers turn it into a GatewayError.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { parseRetryAfter } from './retry-after.js';

/** An upstream failure, before mapping. Every field is optional: bodies can be empty or non-JSON. */
export interface UpstreamFailure {
  /** HTTP status; undefined for an error frame inside a 200 SSE stream or a 200 JSON body. */
  readonly status?: number;
  readonly code?: string;
  /** The upstream's message, already cleaned by `cleanUpstreamMessage`. */
  readonly message?: string;
  readonly param?: string;
  /** Error class (`BadRequest`, `invalid_request_error`). */
  readonly type?: string;
  readonly requestId?: string;
  readonly retryAfterMs?: number;
}

/** The envelope's fields, when `value` is one; undefined otherwise. */
export function failureFromEnvelope(value: unknown): Omit<UpstreamFailure, 'status' | 'retryAfterMs'> | undefined {
  if (typeof value !== 'object' || value === null || !('error' in value)) return undefined;
  const error: unknown = value.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const field = (name: string): string | undefined => {
    const v = (error as Record<string, unknown>)[name];
    return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const rawMessage = field('message');
  const code = field('code');
  if (code === undefined && rawMessage === undefined) return undefined;
  return {
    code,
    message: rawMessage === undefined ? undefined : cleanUpstreamMessage(rawMessage),
    param: field('param'),
    type: field('type'),
    requestId: rawMessage === undefined ? undefined : requestIdFromMessage(rawMessage),
  };
}

/** Reads a non-2xx answer: the envelope if the body is one, the `x-request-id` and `Retry-After`. */
export function failureFromResponse(
  status: number,
  headers: IncomingHttpHeaders,
  body: string,
  now: number = Date.now(),
): UpstreamFailure {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined; // HTML from a proxy, an empty body, a truncated one: map by status alone
  }
  const envelope = failureFromEnvelope(parsed);
  const requestId = headerValue(headers, 'x-request-id') ?? envelope?.requestId;
  return { ...envelope, status, requestId, retryAfterMs: retryAfterFromHeaders(headers, now) };
}

/** `Retry-After` (seconds or HTTP-date), or OpenAI's `retry-after-ms`, in ms. */
export function retryAfterFromHeaders(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
  return parseRetryAfter(headerValue(headers, 'retry-after'), headerValue(headers, 'retry-after-ms'), now);
}

/** One header as a string (the first, when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// Ark appends "Request id: <id>" / "Request ID: {id}" / "request id: …" to messages (reference §2.1,
// §3.3); the id travels in `upstream.requestId` instead.
const requestIdSuffix = /[\s,;]*\brequest[ _-]?id\s*[:=]\s*([^\s,;]*)\s*\.?\s*$/i;
// `scheme://user:password@host` anywhere in a message: drop the credentials (DESIGN §9).
const urlCredentials = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+(?::[^\s/@]*)?@/gi;
// Keys shaped like bearer tokens or `sk-…`/AK-style secrets, should an upstream echo one.
const bearerToken = /\b(bearer\s+)[^\s"',;]+/gi;
const MAX_MESSAGE_CHARS = 500;

/** An upstream message made safe to show to callers: no request id suffix, no credentials in URLs,
 *  no bearer tokens, no control characters, bounded length. */
export function cleanUpstreamMessage(message: string): string {
  let text = message.replace(requestIdSuffix, '');
  text = text.replace(urlCredentials, '$1').replace(bearerToken, '$1[redacted]');
  text = text.replace(/\p{Cc}+/gu, ' ').trim();
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 1)}…` : text;
}

function requestIdFromMessage(message: string): string | undefined {
  const id = requestIdSuffix.exec(message)?.[1];
  return id === undefined || id === '' || id.startsWith('{') || id === '...' || id === '…' ? undefined : id;
}
