/**
 * The gateway's own time in one call — the overhead signal operators read (README "Overhead signal"):
 * the call's elapsed time minus the time it spent waiting on its upstream. The upstream client brackets
 * every wait (the request until its response headers, each read of a body chunk) with `beginWait` /
 * `endWait`; overlapping waits (fanned-out requests) count once. Retry back-off and the download of an
 * image being re-hosted count as the gateway's time: the gateway chose to spend them.
 *
 * A stream's figure is fixed at its first output (`freeze`): what the gateway added before the caller
 * saw anything, which is also all a REST stream can put in a header. A unary call's is read at its end.
 */
import type { Attributes, Histogram } from '@opentelemetry/api';
import { ATTR } from './attributes.js';

/** What the upstream client is told of: the stretches it spends waiting for the upstream. */
export interface UpstreamWaitClock {
  beginWait(): void;
  endWait(): void;
}

/** The response header (REST) and trailer (gRPC) carrying the overhead, in ms with µs precision. */
export const OVERHEAD_HEADER = 'x-gateway-overhead-ms';
/** The gRPC trailer carrying the upstream wait the overhead excludes. */
export const UPSTREAM_WAIT_TRAILER = 'x-upstream-wait-ms';

export class CallOverhead implements UpstreamWaitClock {
  private waiting = 0;
  private waitStarted = 0;
  private waited = 0;
  private frozen: { readonly gatewayMs: number; readonly upstreamMs: number } | undefined;

  /** `started`: when the call arrived, on the `now` clock (ms). */
  constructor(
    private readonly started: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {}

  beginWait(): void {
    if (this.waiting++ === 0) this.waitStarted = this.now();
  }

  endWait(): void {
    if (this.waiting === 0) return; // unbalanced: an end without a begin is ignored
    if (--this.waiting === 0) this.waited += this.now() - this.waitStarted;
  }

  /** Fixes the figures now (a stream's first output); later calls and reads keep them. */
  freeze(): void {
    this.frozen ??= this.read();
  }

  /** The gateway's own ms: frozen, or up to now. Never negative. */
  get gatewayMs(): number {
    return (this.frozen ?? this.read()).gatewayMs;
  }

  /** The ms spent waiting on the upstream, in the same window as `gatewayMs`. */
  get upstreamMs(): number {
    return (this.frozen ?? this.read()).upstreamMs;
  }

  private read(): { gatewayMs: number; upstreamMs: number } {
    const at = this.now();
    const upstreamMs = this.waited + (this.waiting > 0 ? at - this.waitStarted : 0);
    return { gatewayMs: Math.max(0, at - this.started - upstreamMs), upstreamMs };
  }
}

/** ms as header text: three decimals (µs), no exponent. */
export function msText(ms: number): string {
  return ms.toFixed(3);
}

/** `iterable`'s chunks with every wait for the next one bracketed on `clock`. */
export function waitTimed<T>(iterable: AsyncIterable<T>, clock: UpstreamWaitClock | undefined): AsyncIterable<T> {
  if (clock === undefined) return iterable;
  return {
    [Symbol.asyncIterator]() {
      const inner = iterable[Symbol.asyncIterator]();
      return {
        async next() {
          clock.beginWait();
          try {
            return await inner.next();
          } finally {
            clock.endWait();
          }
        },
        return: async (value?: unknown) => (inner.return === undefined ? { done: true as const, value: value as T } : inner.return(value)),
      };
    },
  };
}

/** The edge a call came through: the overhead histogram's one attribute. */
export type GatewayPath = 'rest-json' | 'rest-sse' | 'grpc-unary' | 'grpc-stream';

// One attribute object per path, built once: the SDK hashes a record's attributes, and a fixed set
// keeps that hash (and its lookup) as cheap as it gets.
// Frozen: the gateway's histogram finds a frozen set by identity (gateway-histogram.ts).
const PATH_ATTRIBUTES: Readonly<Record<GatewayPath, Attributes>> = {
  'rest-json': Object.freeze({ [ATTR.gatewayPath]: 'rest-json' }),
  'rest-sse': Object.freeze({ [ATTR.gatewayPath]: 'rest-sse' }),
  'grpc-unary': Object.freeze({ [ATTR.gatewayPath]: 'grpc-unary' }),
  'grpc-stream': Object.freeze({ [ATTR.gatewayPath]: 'grpc-stream' }),
};

/** Records the call's overhead on the histogram (in seconds). */
export function recordOverhead(histogram: Histogram, path: GatewayPath, overhead: CallOverhead): void {
  histogram.record(overhead.gatewayMs / 1000, PATH_ATTRIBUTES[path]);
}
