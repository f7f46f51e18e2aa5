/**
 * Faults on demand: a FIFO queue of misbehaviours for the next generation requests. Each request to
 * the generation endpoints takes at most one fault from the head of the queue (a fault with
 * `count: n` is taken by the next n requests); image downloads and control requests take none.
 * The same shapes are accepted in-process and as JSON on `POST /_simulator/faults` (docs/simulator.md).
 */
import { z } from 'zod';

const count = z.number().int().min(1).max(1_000_000).optional();
const imageIndex = z.number().int().min(0).max(14);
const afterImages = z.number().int().min(0).max(15);

/** Schema of one fault; also validates the JSON of the control endpoint. */
export const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** Answer with this HTTP status and an Ark error body instead of generating (after auth, before validation). */
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    /** Ark error code; defaults per status (429 → ModelAccountIpmRateLimitExceeded, 500 → InternalServiceError). */
    code: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
    /** `Retry-After` header in seconds; defaults to 1 for rate-limit 429s, none otherwise. */
    retryAfterSeconds: z.number().int().min(0).max(86_400).optional(),
    count,
  }),
  z.strictObject({
    /** These image attempts fail moderation (`OutputImageSensitiveContentDetected`); the set continues. */
    kind: z.literal('moderate'),
    imageIndex: z.union([imageIndex, z.array(imageIndex).min(1)]),
    count,
  }),
  z.strictObject({
    /** Image attempt `imageIndex` fails with `InternalServiceError`; no further images are made. */
    kind: z.literal('internal-error'),
    imageIndex,
    count,
  }),
  z.strictObject({
    /** The TCP connection is reset after this many images (SSE: after their events were written). */
    kind: z.literal('reset'),
    afterImages,
    count,
  }),
  z.strictObject({
    /** After this many images a truncated frame is written and the response ends without `[DONE]`
     *  (non-streaming requests get a truncated JSON body instead). */
    kind: z.literal('malformed-sse'),
    afterImages,
    count,
  }),
  z.strictObject({
    /** SSE only: after this many images a stream-level `{"error":…}` data line ends the stream. */
    kind: z.literal('stream-error'),
    afterImages,
    code: z.string().min(1).optional(),
    message: z.string().min(1).optional(),
    count,
  }),
  z.strictObject({
    /** Response headers are held back this long (on top of the per-image latency). */
    kind: z.literal('delay-headers'),
    ms: z.number().int().min(0).max(600_000),
    count,
  }),
]);

/** One fault for the next request(s). */
export type Fault = z.infer<typeof faultSchema>;
/** The kinds of fault. */
export type FaultKind = Fault['kind'];

/** The fault queue of a simulator. */
export interface FaultQueue {
  /** Appends faults; each applies to the next `count` (default 1) requests once those before it are used up. */
  enqueue(...faults: Fault[]): void;
  /** Drops every pending fault. */
  clear(): void;
  /** Pending faults, head first, each with the number of requests it still applies to. */
  pending(): Fault[];
  /** Takes the fault for the next generation request (internal: called by the request handler). */
  take(): Fault | undefined;
}

/** Creates an empty fault queue. */
export function createFaultQueue(): FaultQueue {
  const queue: { fault: Fault; remaining: number }[] = [];
  return {
    enqueue(...faults) {
      for (const fault of faults) queue.push({ fault: faultSchema.parse(fault), remaining: fault.count ?? 1 });
    },
    clear() {
      queue.length = 0;
    },
    pending() {
      return queue.map(({ fault, remaining }) => ({ ...fault, count: remaining }));
    },
    take() {
      const head = queue[0];
      if (head === undefined) return undefined;
      head.remaining -= 1;
      if (head.remaining <= 0) queue.shift();
      return head.fault;
    },
  };
}

const statusDefaults: Readonly<Record<number, { code: string; message: string }>> = {
  400: { code: 'InvalidParameter', message: 'The request is not valid (simulated fault).' },
  401: { code: 'AuthenticationError', message: 'the API key or AK/SK in the request is missing or invalid.' },
  403: { code: 'AccessDenied', message: 'You do not have access to this resource (simulated fault).' },
  404: { code: 'InvalidEndpointOrModel.NotFound', message: 'The model or endpoint does not exist (simulated fault).' },
  429: {
    code: 'ModelAccountIpmRateLimitExceeded',
    message: 'The request failed because you have exceeded the images-per-minute (IPM) limit of the model. Please retry later.',
  },
  500: { code: 'InternalServiceError', message: 'The service encountered an unexpected internal error.' },
  // 503 is not in the Ark error table (reference §2.1 ⚠): named after the HTTP reason.
  503: { code: 'ServiceUnavailable', message: 'The service is temporarily unavailable. Please retry later.' },
};

// 429 codes that are not worth retrying soon (reference §2.1): no Retry-After unless asked for.
const quotaCodes = new Set(['QuotaExceeded', 'SetLimitExceeded']);

/** The code, message and headers a `status` fault answers with. */
export function statusFaultAnswer(fault: Extract<Fault, { kind: 'status' }>): {
  code: string;
  message: string;
  retryAfterSeconds: number | undefined;
} {
  const fallback = statusDefaults[fault.status] ?? {
    code: fault.status >= 500 ? 'InternalServiceError' : 'InvalidParameter',
    message: 'Simulated failure.',
  };
  const code = fault.code ?? fallback.code;
  const message = fault.message ?? (code === 'QuotaExceeded' ? 'The request failed because your account quota is used up.' : fallback.message);
  const retryAfterSeconds = fault.retryAfterSeconds ?? (fault.status === 429 && !quotaCodes.has(code) ? 1 : undefined);
  return { code, message, retryAfterSeconds };
}
