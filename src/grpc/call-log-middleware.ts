/**
 * One log line per ImageService call (DESIGN §6): method, caller key name, model, outcome and duration.
 * Written by the image-call middleware (image-call-middleware.ts) once the caller is known, inside the
 * error middleware (it sees the domain error, and names the status the error middleware will send).
 */
import type { Context } from '@opentelemetry/api';
import type { Logger } from '../telemetry/logger.js';
import { traceIdsOf } from '../telemetry/trace-context.js';
import { modelKeyOfRequest } from './error-middleware.js';

/** The fields of a call's line known when it starts. */
export interface CallLogStart {
  readonly started: number;
  readonly traceContext: Context | undefined;
  readonly method: string;
  readonly keyName: string;
  readonly request: unknown;
}

/** Writes the call's line with the status it ended with (`OK`, `CANCELLED` when it stopped at a
 *  `yield` because its client went away, else the thrown error's, statusNameOf). */
export function logCall(logger: Logger, now: number, start: CallLogStart, status: string, reason: string | undefined): void {
  // Built in one literal (no spread of the trace ids): a call's line is the gateway's largest per-call
  // allocation after the call itself.
  const ids = traceIdsOf(start.traceContext);
  logger.info(
    {
      trace_id: ids.trace_id,
      span_id: ids.span_id,
      method: start.method,
      keyName: start.keyName,
      model: modelKeyOfRequest(start.request),
      status,
      reason,
      durationMs: now - start.started,
    },
    'call',
  );
}
