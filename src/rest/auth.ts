/**
 * Caller authentication for `/v1/*`: the same keys as gRPC (`Authorization: Bearer <key>`, DESIGN §4),
 * checked in `onRequest` — before the body is read, so an unauthenticated caller cannot make the gateway
 * buffer and parse a large body. Failure is a 401 envelope with `WWW-Authenticate: Bearer`.
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { KeyVerifier } from '../auth/api-keys.js';
import { GatewayError } from '../errors.js';
import type { Caller } from '../service/types.js';
import { sendError } from './reply-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set by the `/v1` onRequest hook (null outside `/v1`). */
    caller: Caller | null;
  }
}

const unauthenticated = new GatewayError(
  'UNAUTHENTICATED',
  'missing or invalid API key: send Authorization: Bearer <key> with a key issued for this gateway',
);

/** An onRequest hook that sets `request.caller` or answers 401. */
export function authHook(keys: KeyVerifier) {
  return function authenticate(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const caller = keys.verify(request.headers.authorization);
    if (caller === undefined) {
      // Replying from the hook ends the request here; `done` must not be called as well.
      sendError(reply, unauthenticated);
      return;
    }
    request.caller = caller;
    done();
  };
}
