/**
 * An ImageUpstream speaking Ark's images wire format (reference §1–§3) over one undici keep-alive pool.
 * Both the native Ark client (ark-upstream.ts) and the OpenAI-compatible relay client use it; they
 * differ in base URL, `model` id, a `user` field and their error tables.
 *
 * `generate` is ONE HTTP attempt (the core retries): it yields events as they arrive and ends with
 * exactly one `completed`, or throws a GatewayError. Telemetry wraps an attempt from outside: undici's
 * diagnostics channels see the request, and trace context goes in `options.headers` (conventions D.3).
 */
import { Pool } from 'undici';
import { GatewayError } from '../../errors.js';
import { startAttempt } from '../attempt.js';
import { BodyTooLargeError, drainInBackground } from '../read-body.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_SSE_FRAME_BYTES } from '../answer-size.js';
import { SseFrameTooLargeError } from '../sse.js';
import type { ErrorContext } from '../status-errors.js';
import type { ImageUpstream, UpstreamCallOptions, UpstreamEvent, UpstreamImageRequest } from '../types.js';
import { headerValue, type UpstreamFailure } from '../upstream-failure.js';
import { eventsFromAnswer, type HttpAnswer } from './answer-decoder.js';
import { arkRequestJson } from './request-body.js';

/** Size bounds on what the upstream sends back (DESIGN §9). */
export interface UpstreamLimits {
  /** A whole JSON answer (up to 15 base64 images). Default DEFAULT_MAX_RESPONSE_BYTES (answer-size.ts). */
  readonly maxResponseBytes?: number;
  /** One SSE frame (one base64 image). Default DEFAULT_MAX_SSE_FRAME_BYTES (answer-size.ts). */
  readonly maxSseFrameBytes?: number;
  /** How much of an error answer is read. Default 64 KiB. */
  readonly maxErrorBodyBytes?: number;
}

/** What distinguishes one Ark-wire client from another. */
export interface ArkHttpUpstreamOptions {
  /** `gen_ai.provider.name`. */
  readonly provider: string;
  /** Base URL the path `/images/generations` is appended to (`…/api/v3`, or a relay's `…/v1`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  /** The `model` to send for a request (region id, or an Ark endpoint id). */
  readonly modelIdFor: (request: UpstreamImageRequest) => string;
  /** Send the request's `user` (relays take it; Ark has no such field, reference §1.1). */
  readonly includeUser: boolean;
  /** The vendor's error table. */
  readonly mapFailure: (failure: UpstreamFailure, ctx: ErrorContext) => GatewayError;
  /** URL lifetime when a URL does not carry its own. */
  readonly urlTtlMs: number;
  readonly limits?: UpstreamLimits;
  readonly now?: () => number;
}

// Headers we set ourselves; `options.headers` (trace context) cannot override them.
const reservedHeaders: ReadonlySet<string> = new Set(['authorization', 'content-type', 'accept', 'content-length', 'host']);

/** Creates the client and its pool (connections open lazily, on first use). */
export function createArkHttpUpstream(options: ArkHttpUpstreamOptions): ImageUpstream {
  const base = new URL(options.baseUrl);
  // The pool takes the origin only: credentials in the base URL are never sent nor shown.
  const pool = new Pool(base.origin, {
    connections: options.maxConnections,
    connectTimeout: options.connectTimeoutMs,
    // Our own timer bounds the whole attempt (attempt.ts); undici's 300 s defaults would cut long
    // renders whose headers arrive only after the first image (reference §3.1, ~27 s and more).
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const path = `${base.pathname.replace(/\/+$/, '')}/images/generations`;
  const port = base.port === '' ? (base.protocol === 'https:' ? 443 : 80) : Number(base.port);
  const limits = {
    maxResponseBytes: options.limits?.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
    maxSseFrameBytes: options.limits?.maxSseFrameBytes ?? DEFAULT_MAX_SSE_FRAME_BYTES,
    maxErrorBodyBytes: options.limits?.maxErrorBodyBytes ?? 64 * 1024,
  };
  const now = options.now ?? Date.now;
  const authorization = `Bearer ${options.apiKey}`;
  // Should an upstream ever echo our key in a message, it is cut out before any mapping sees it.
  const mapFailure = (failure: UpstreamFailure, ctx: ErrorContext): GatewayError =>
    options.mapFailure(
      failure.message !== undefined && options.apiKey !== '' && failure.message.includes(options.apiKey)
        ? { ...failure, message: failure.message.replaceAll(options.apiKey, '[redacted]') }
        : failure,
      ctx,
    );

  async function* generate(request: UpstreamImageRequest, call: UpstreamCallOptions): AsyncGenerator<UpstreamEvent> {
    const streaming = request.stream && request.model.nativeStreaming;
    const modelId = options.modelIdFor(request);
    const json = arkRequestJson(request, { modelId, stream: streaming, includeUser: options.includeUser });
    const ctx: ErrorContext = { modelName: request.model.displayName };
    const attempt = startAttempt(call);
    let answer: HttpAnswer | undefined;
    let completed = false;
    try {
      call.wait?.beginWait();
      try {
        answer = await pool.request({
          method: 'POST',
          path,
          headers: requestHeaders(call.headers, authorization, streaming),
          body: json,
          signal: attempt.signal,
        });
      } finally {
        call.wait?.endWait();
      }
      attempt.upstream = { status: answer.statusCode, requestId: headerValue(answer.headers, 'x-request-id') };
      // One literal, no spreads: this runs once per attempt.
      yield* eventsFromAnswer(answer, {
        streaming,
        decode: {
          // Only a format we sent can be the fallback; models without `output_format` make jpeg (§1.2).
          requestedFormat: request.model.options.includes('output_format') ? request.outputFormat : undefined,
          modelId,
          urlTtlMs: options.urlTtlMs,
          now,
        },
        mapFailure: (failure) => mapFailure(failure, ctx),
        maxResponseBytes: limits.maxResponseBytes,
        maxSseFrameBytes: limits.maxSseFrameBytes,
        maxErrorBodyBytes: limits.maxErrorBodyBytes,
        wait: call.wait,
        now,
      });
      completed = true;
    } catch (error) {
      throw attempt.failure(sizeError(error, attempt.upstream));
    } finally {
      attempt.finish();
      if (answer !== undefined && !answer.body.destroyed) {
        // Done: let the rest of the body (after `[DONE]`) drain so the connection is reused.
        if (completed) drainInBackground(answer.body);
        // A consumer that stopped early (`return()`), or a failure mid-body: destroying the body
        // aborts the request and closes the socket at once. Destroying emits undici's
        // RequestAbortedError, which nobody reads any more.
        else answer.body.on('error', () => undefined).destroy();
      }
    }
  }

  return {
    provider: options.provider,
    server: { address: base.hostname, port },
    generate,
    close: () => pool.close(),
  };
}

function requestHeaders(
  extra: Readonly<Record<string, string>> | undefined,
  authorization: string,
  streaming: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (extra !== undefined) {
    // `for…in` rather than Object.entries: no array of pairs per attempt.
    for (const name in extra) {
      const value = extra[name];
      if (value !== undefined && Object.hasOwn(extra, name) && !reservedHeaders.has(name.toLowerCase())) headers[name] = value;
    }
  }
  headers.authorization = authorization;
  headers['content-type'] = 'application/json';
  headers.accept = streaming ? 'text/event-stream' : 'application/json';
  return headers;
}

/** Oversized bodies and frames as protocol errors (we never buffer without a bound). */
function sizeError(error: unknown, upstream: { status?: number; requestId?: string }): unknown {
  if (error instanceof BodyTooLargeError || error instanceof SseFrameTooLargeError) {
    return new GatewayError('UPSTREAM_BAD_RESPONSE', `the upstream sent an answer larger than ${error.limit} bytes`, {
      upstream,
      cause: error,
    });
  }
  return error;
}
