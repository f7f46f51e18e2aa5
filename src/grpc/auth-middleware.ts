/**
 * Caller authentication for ImageService: the `authorization: Bearer <key>` metadata entry is checked by
 * the shared key verifier (hashes, constant time). Refusals say only "missing or invalid API key", never
 * which part failed (DESIGN §4, §9). Health and reflection are added without it. Called first by the
 * image-call middleware (image-call-middleware.ts), inside tracing, so refused calls are traced too.
 */
import type { CallContext } from 'nice-grpc-common';
import type { KeyVerifier } from '../auth/api-keys.js';
import { GatewayError } from '../errors.js';
import type { Caller } from '../service/types.js';
import type { Logger } from '../telemetry/logger.js';

/** What authentication adds to the call context: who is calling. */
export interface CallerContext {
  readonly caller: Caller;
}

/** The message of every refusal, whatever was wrong. */
export const UNAUTHENTICATED_MESSAGE = 'missing or invalid API key';

/** The call's caller; throws UNAUTHENTICATED (and logs the refusal) when the key is missing or wrong. */
export function authenticateCall(verifier: KeyVerifier, logger: Logger, method: string, context: CallContext): Caller {
  // gRPC metadata keys are lower case. Repeated values arrive joined with ", ", which no key matches.
  const caller = verifier.verify(context.metadata.get('authorization'));
  if (caller === undefined) {
    // Logged without the header: a near-miss key is still a secret.
    logger.info({ method, peer: context.peer }, 'refused a call without a valid API key');
    throw new GatewayError('UNAUTHENTICATED', UNAUTHENTICATED_MESSAGE);
  }
  return caller;
}
