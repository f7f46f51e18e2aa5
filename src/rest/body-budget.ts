/**
 * The total in-flight body budget (DESIGN §9: whole-body buffering has a total cap across concurrent
 * requests, not only a per-request one). 32 REST bodies just under the per-request cap once held
 * 5.6 GiB; with the budget, bodies held at once never exceed REQUEST_BODY_BUDGET_BYTES, and a request
 * that would go past it is refused — 413 envelope on REST, RESOURCE_EXHAUSTED on gRPC — as retryable:
 * it fits once other calls finish. One budget is shared by both edges, since they share the memory.
 *
 * How to use it (a route, a content-type parser, an edge):
 *
 * ```ts
 * const reservation = budget.tryReserve(contentLength);      // before reading the body
 * if (reservation === undefined) throw bodyBudgetExceeded(budget, contentLength);
 * … reservation.grow(chunk.length) for a body of unknown length (false: refuse it the same way) …
 * reservation.release();                                      // when the call's response is over
 * ```
 *
 * Release when the call ends, not when the body is parsed: the parsed request (reference images as
 * strings, then decoded) lives as long as the call. `release` is idempotent, so it can be hooked to
 * every way a call ends. The REST server does all of this for every route in one `preParsing` hook
 * (`registerBodyBudget`), so a new route or content-type parser (multipart) is covered without code.
 */
import type { FastifyInstance } from 'fastify';
import { pipeline, Transform } from 'node:stream';
import { GatewayError } from '../errors.js';

export interface BodyBudget {
  /** The budget, in bytes. */
  readonly totalBytes: number;
  /** Bytes reserved now. */
  readonly inUseBytes: number;
  /** Reserves `bytes`, or returns undefined (nothing reserved) when they do not fit. */
  tryReserve(bytes: number): BodyReservation | undefined;
}

export interface BodyReservation {
  /** Bytes held by this reservation. */
  readonly bytes: number;
  /** Adds `bytes` (a body of unknown length, chunk by chunk); false, and nothing added, if they do not fit. */
  grow(bytes: number): boolean;
  /** Gives every byte back; later calls do nothing. */
  release(): void;
}

/** Creates a budget of `totalBytes`. */
export function createBodyBudget(totalBytes: number): BodyBudget {
  let inUse = 0;
  const fits = (bytes: number) => inUse + bytes <= totalBytes;
  return {
    totalBytes,
    get inUseBytes() {
      return inUse;
    },
    tryReserve(bytes) {
      if (!fits(bytes)) return undefined;
      inUse += bytes;
      let held = bytes;
      let released = false;
      return {
        get bytes() {
          return held;
        },
        grow(more) {
          if (released || !fits(more)) return false;
          inUse += more;
          held += more;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          inUse -= held;
        },
      };
    },
  };
}

/** The error for a body that does not fit: PAYLOAD_TOO_LARGE, retryable once other calls end. */
export function bodyBudgetExceeded(budget: BodyBudget, bytes: number): GatewayError {
  return new GatewayError(
    'PAYLOAD_TOO_LARGE',
    `the gateway is holding too many request bodies to take ${bytes} more bytes (REQUEST_BODY_BUDGET_BYTES ${budget.totalBytes}); retry shortly`,
    { retryable: true, retryAfterMs: 1000 },
  );
}

/**
 * Puts every REST request body under `budget`: a body with a Content-Length is reserved whole before
 * a byte is read (no copy, no wrapping); a chunked one through a counting stream, chunk by chunk.
 * The reservation ends with the response (`close` covers finish, abort and hijacked streams).
 */
export function registerBodyBudget(app: FastifyInstance, budget: BodyBudget): void {
  // A callback hook, not an async one: fastify awaits a returned promise, one more microtask turn per request.
  app.addHook('preParsing', (request, reply, payload, done) => {
    const length = request.headers['content-length'];
    // No length and no chunked body: nothing to hold (GET, HEAD).
    if (length === undefined && request.headers['transfer-encoding'] === undefined) return done(null, payload);
    const declared = Number(length);
    const known = Number.isSafeInteger(declared) && declared >= 0;
    const reservation = budget.tryReserve(known ? declared : 0);
    if (reservation === undefined) return done(bodyBudgetExceeded(budget, declared));
    reply.raw.once('close', () => reservation.release());
    if (known) return done(null, payload);
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (reservation.grow(chunk.length)) callback(null, chunk);
        else callback(bodyBudgetExceeded(budget, reservation.bytes + chunk.length));
      },
    });
    // The parser reads `counted` and sees its error; the pipeline only tears both streams down.
    pipeline(payload, counted, () => undefined);
    done(null, counted);
  });
}
