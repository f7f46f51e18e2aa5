/**
 * The gRPC status name a call ends with, from what its handler chain threw — for log lines, span and
 * metric attributes (`rpc.status_code` is the status name, conventions D.2).
 */
import { ServerError, Status } from 'nice-grpc-common';
import { isGatewayError } from '../errors.js';
import { statusFromReason } from './status-from-error.js';

/** The status name for a thrown value; a value thrown after the client went away is CANCELLED. */
export function statusNameOf(error: unknown, aborted: boolean): string {
  if (isGatewayError(error)) return Status[statusFromReason(error.reason)];
  if (error instanceof ServerError) return Status[error.code];
  return aborted ? 'CANCELLED' : 'INTERNAL';
}

/** Codes that are the server's fault on a server span (conventions D.2); the others are the caller's. */
const serverFaults: ReadonlySet<string> = new Set(['UNKNOWN', 'DEADLINE_EXCEEDED', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS']);

export function isServerFault(statusName: string): boolean {
  return serverFaults.has(statusName);
}
