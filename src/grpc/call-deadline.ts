/**
 * The caller's deadline, carried from grpc-js to the handlers. grpc-js parses `grpc-timeout` and strips
 * it from the metadata, and nice-grpc's CallContext has no deadline — yet the core needs it as epoch ms
 * to bound the upstream request (DESIGN §4). A grpc-js server interceptor reads `call.getDeadline()` and
 * writes it into a reserved metadata entry, after deleting any value a client sent under that name, so
 * the entry can only ever hold the deadline grpc-js itself enforces.
 */
import {
  ServerInterceptingCall,
  ServerListenerBuilder,
  type Metadata as GrpcMetadata,
  type ServerInterceptor,
} from '@grpc/grpc-js';
import type { Metadata } from 'nice-grpc-common';

/** Reserved metadata key holding the call's deadline in epoch ms (only ever set by the interceptor). */
export const DEADLINE_METADATA_KEY = 'x-seedream-gateway-deadline-ms';

/** Copies each call's deadline into the reserved metadata entry (removing one a client forged). */
export const deadlineInterceptor: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start(next) {
      next(
        new ServerListenerBuilder()
          .withOnReceiveMetadata((metadata: GrpcMetadata, nextMetadata) => {
            metadata.remove(DEADLINE_METADATA_KEY);
            const deadline = epochMs(call.getDeadline());
            if (deadline !== undefined) metadata.set(DEADLINE_METADATA_KEY, String(deadline));
            nextMetadata(metadata);
          })
          .build(),
      );
    },
  });

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
