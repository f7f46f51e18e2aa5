/**
 * The `grpc-trace-bin` metadata format (OpenCensus binary trace context, still sent by some gRPC
 * clients): version 0, then field 0 = trace id (16 bytes), field 1 = span id (8 bytes), field 2 = trace
 * options (1 byte). Used when a call carries no W3C `traceparent`.
 */
import { isSpanContextValid, TraceFlags, type SpanContext } from '@opentelemetry/api';

/** Decodes `grpc-trace-bin`; undefined when malformed or invalid. */
export function spanContextFromTraceBin(bytes: Uint8Array): SpanContext | undefined {
  if (bytes.length < 29 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[18] !== 1) return undefined;
  const hex = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('hex');
  const traceId = hex(2, 18);
  const spanId = hex(19, 27);
  const flags = bytes[27] === 2 ? (bytes[28] ?? 0) & TraceFlags.SAMPLED : TraceFlags.NONE;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: flags, isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Encodes a span context as `grpc-trace-bin` (for tests and for clients). */
export function spanContextToTraceBin(spanContext: SpanContext): Buffer {
  return Buffer.concat([
    Buffer.from([0, 0]),
    Buffer.from(spanContext.traceId, 'hex'),
    Buffer.from([1]),
    Buffer.from(spanContext.spanId, 'hex'),
    Buffer.from([2, spanContext.traceFlags & TraceFlags.SAMPLED]),
  ]);
}
