/**
 * How the `grpc-timeout` header becomes a call's deadline timer, replacing grpc-js's own reading of it
 * (issue 10, items 6 and 8). grpc-js 1.14 computes the timeout as `(digits × unit) | 0`, so a deadline
 * more than 2^31 ms away wraps to a small or negative number and the call ends in DEADLINE_EXCEEDED
 * after ~10 ms; and it answers an unreadable value (`grpc-timeout: abc`) with INTERNAL, which is the
 * caller's mistake, not the server's. grpc-js reads the header in the constructor of its base call,
 * before any interceptor runs and without an option to change it, so the one method that does it,
 * `BaseServerInterceptingCall.prototype.handleTimeoutHeader`, is replaced here: same timer, same
 * status on expiry, but the timeout is clamped to what a timer can hold, and a bad value is
 * INVALID_ARGUMENT. The gateway's own, much shorter, bound (MAX_CALL_DURATION_MS) is applied on top by
 * the deadline interceptor (call-deadline.ts). A test pins this behaviour, so a grpc-js upgrade that
 * renames the method fails loudly instead of silently losing it.
 */
import { status as Status } from '@grpc/grpc-js';
import * as interceptors from '@grpc/grpc-js/build/src/server-interceptors.js';

/** The longest delay a Node timer holds; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** gRPC over HTTP/2: TimeoutValue is 1–8 ASCII digits, TimeoutUnit one of H M S m u n. */
const timeoutPattern = /^\s*(\d{1,8})\s*([HMSmun])\s*$/;
const unitMs: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000_001 };

/** The fields of grpc-js's base call the method sets (private in its typings). */
interface BaseCall {
  deadline: number;
  deadlineTimer: NodeJS.Timeout | null;
  sendStatus(status: { code: Status; details: string; metadata: null }): void;
}

/** The timeout a header value asks for, in ms (clamped to a timer's range), or undefined if unreadable. */
export function timeoutMsOf(value: string): number | undefined {
  const match = timeoutPattern.exec(value);
  if (match === null) return undefined;
  return Math.min(MAX_TIMER_MS, Math.ceil(Number(match[1]) * (unitMs[match[2] ?? ''] ?? 0)));
}

function handleTimeoutHeader(this: BaseCall, header: unknown): void {
  const value = String(header);
  const timeout = timeoutMsOf(value);
  if (timeout === undefined) {
    const status = {
      code: Status.INVALID_ARGUMENT,
      details: `grpc-timeout ${JSON.stringify(value.slice(0, 32))} is not a gRPC timeout: 1 to 8 digits and a unit (H, M, S, m, u or n)`,
      metadata: null,
    };
    // As grpc-js does: wait for the base call's constructor to complete before sending the status.
    process.nextTick(() => this.sendStatus(status));
    return;
  }
  this.deadline = Date.now() + timeout;
  this.deadlineTimer = setTimeout(() => this.sendStatus({ code: Status.DEADLINE_EXCEEDED, details: 'Deadline exceeded', metadata: null }), timeout);
}

const prototype = interceptors.BaseServerInterceptingCall.prototype as unknown as Record<string, unknown>;
if (typeof prototype.handleTimeoutHeader !== 'function') {
  throw new Error('grpc-js no longer has BaseServerInterceptingCall.handleTimeoutHeader: review src/grpc/grpc-timeout-header.ts');
}
prototype.handleTimeoutHeader = handleTimeoutHeader;
