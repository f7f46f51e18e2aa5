/**
 * The caller's deadline, carried from grpc-js to the handlers. grpc-js parses `grpc-timeout` and strips
 * it from the metadata, and nice-grpc's CallContext has no deadline — yet the core needs it as epoch ms
 * to bound the upstream request (DESIGN §4). A grpc-js server interceptor reads `call.getDeadline()` and
 * writes it into a reserved metadata entry, after deleting any value a client sent under that name, so
 * the entry can only ever hold the deadline grpc-js itself enforces — or an earlier one: a call without
 * a deadline, or with one further than MAX_CALL_DURATION_MS away, gets `now + MAX_CALL_DURATION_MS`
 * (issue 10: a deadline past 2^31 ms used to expire at once; grpc-timeout-header.ts keeps grpc-js's own
 * timer from wrapping).
 *
 * The same interceptor bounds how long a call may take to deliver its request message
 * (GRPC_MESSAGE_TIMEOUT_MS): a stream whose message never completes held its resources forever.
 */
import {
  ServerInterceptingCall,
  ServerListenerBuilder,
  status as Status,
  type Metadata as GrpcMetadata,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import type { Metadata } from 'nice-grpc-common';
import './grpc-timeout-header.js';

/** Reserved metadata key holding the call's deadline in epoch ms (only ever set by the interceptor). */
export const DEADLINE_METADATA_KEY = 'x-seedream-gateway-deadline-ms';

export interface CallBounds {
  /** Longest a call may run (MAX_CALL_DURATION_MS). */
  readonly maxCallDurationMs: number;
  /** Time from the call's start until its request message must have arrived (GRPC_MESSAGE_TIMEOUT_MS). */
  readonly messageTimeoutMs: number;
  readonly now?: () => number;
}

/** Copies each call's deadline, clamped to the longest call, into the reserved metadata entry
 *  (removing one a client forged), and ends calls whose request message does not arrive in time. */
export function createDeadlineInterceptor(bounds: CallBounds): ServerInterceptor {
  const now = bounds.now ?? Date.now;
  return (_method, call) => {
    let messageTimer: NodeJS.Timeout | undefined;
    const stopWaiting = () => {
      clearTimeout(messageTimer);
      messageTimer = undefined;
    };
    return new ServerInterceptingCall(call, {
      start(next) {
        messageTimer = setTimeout(() => {
          messageTimer = undefined;
          call.sendStatus({
            code: Status.DEADLINE_EXCEEDED,
            details: `the request message did not arrive within ${bounds.messageTimeoutMs} ms (GRPC_MESSAGE_TIMEOUT_MS)`,
          });
        }, bounds.messageTimeoutMs);
        next(
          new ServerListenerBuilder()
            .withOnReceiveMetadata((metadata: GrpcMetadata, nextMetadata) => {
              metadata.remove(DEADLINE_METADATA_KEY);
              const latest = now() + bounds.maxCallDurationMs;
              const deadline = epochMs(call.getDeadline());
              metadata.set(DEADLINE_METADATA_KEY, String(deadline === undefined ? latest : Math.min(deadline, latest)));
              nextMetadata(metadata);
            })
            .withOnReceiveMessage((message, nextMessage) => {
              stopWaiting();
              nextMessage(message);
            })
            .withOnCancel(stopWaiting)
            .build(),
        );
      },
      sendStatus(status, next) {
        stopWaiting();
        next(status);
      },
    });
  };
}

/** The call's deadline (epoch ms) from the context metadata, or undefined when the caller set none. */
export function deadlineFromMetadata(metadata: Metadata): number | undefined {
  const value = metadata.get(DEADLINE_METADATA_KEY);
  if (value === undefined) return undefined;
  const deadline = Number(value);
  return Number.isFinite(deadline) ? deadline : undefined;
}

/** grpc-js reports "no deadline" as Infinity, and a deadline as a Date or epoch ms. */
function epochMs(deadline: Date | number): number | undefined {
  const ms = deadline instanceof Date ? deadline.getTime() : deadline;
  return Number.isFinite(ms) ? ms : undefined;
}
