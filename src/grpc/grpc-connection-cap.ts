/**
 * A cap on the gRPC port's open connections (issue 10, item 5; DESIGN §9: a slow or idle connection
 * can cost one call, never the process). grpc-js has no option for it, and nice-grpc does not expose
 * the grpc-js server, so the one method that makes grpc-js's HTTP/2 listener,
 * `Server.prototype.createHttp2Server`, is wrapped here: the listener it returns gets
 * `maxConnections` from the channel option CONNECTION_CAP_OPTION (Node closes connections past it as
 * soon as they are accepted). Servers without the option are untouched. A test pins this behaviour, so
 * a grpc-js upgrade that renames the method fails loudly instead of silently losing the cap.
 */
import type { Server as NetServer } from 'node:net';
import { Server } from '@grpc/grpc-js';

/** The channel option carrying the cap (a name of ours: grpc-js ignores options it does not know). */
export const CONNECTION_CAP_OPTION = 'seedream.max_connections';

interface PatchedServer {
  readonly options?: Readonly<Record<string, unknown>>;
}

const prototype = Server.prototype as unknown as Record<string, unknown>;
const createHttp2Server = prototype.createHttp2Server;
if (typeof createHttp2Server !== 'function') {
  throw new Error('grpc-js no longer has Server.createHttp2Server: review src/grpc/grpc-connection-cap.ts');
}
prototype.createHttp2Server = function cappedHttp2Server(this: PatchedServer, ...args: unknown[]): NetServer {
  const listener = (createHttp2Server as (...a: unknown[]) => NetServer).apply(this, args);
  const cap = this.options?.[CONNECTION_CAP_OPTION];
  if (typeof cap === 'number' && cap > 0) listener.maxConnections = cap;
  return listener;
};
