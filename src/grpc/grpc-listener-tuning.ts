/**
 * What grpc-js's server has no option for, applied to the HTTP/2 listener it makes. nice-grpc does not
 * expose the grpc-js server, so the one method that makes that listener,
 * `Server.prototype.createHttp2Server`, is wrapped here and reads two channel options of ours (grpc-js
 * ignores options it does not know; servers without them are untouched):
 *
 * - CONNECTION_CAP_OPTION: Node's `maxConnections` on the listener (issue 10, item 5; DESIGN §9: a slow
 *   or idle connection can cost one call, never the process). Connections past it are closed as soon
 *   as they are accepted.
 * - RECEIVE_WINDOW_OPTION: the HTTP/2 receive window the gateway grants each connection and stream.
 *   Node keeps the protocol's 64 KiB, so a client may send a reference image only 64 KiB per round
 *   trip: an 8 MB upload over a 20 ms round trip took 4.3 s instead of 0.22 s (bench scenario 9).
 *   grpc-js reads a unary message as it arrives, so the
 *   window does not make the gateway hold more: message size and the request body budget still bound
 *   what a call holds.
 *
 * A test pins both, so a grpc-js upgrade that renames the method fails loudly instead of silently
 * losing them.
 */
import type { Http2Server, Http2Session } from 'node:http2';
import { Server } from '@grpc/grpc-js';

/** The channel option carrying the connection cap. */
export const CONNECTION_CAP_OPTION = 'seedream.max_connections';
/** The channel option carrying the receive window, in bytes (65 535 … 2³¹ − 1). */
export const RECEIVE_WINDOW_OPTION = 'seedream.receive_window_bytes';

/** HTTP/2's initial window; a larger one is announced in SETTINGS and granted by WINDOW_UPDATE. */
const PROTOCOL_DEFAULT_WINDOW = 65_535;

interface PatchedServer {
  readonly options?: Readonly<Record<string, unknown>>;
}

const prototype = Server.prototype as unknown as Record<string, unknown>;
const createHttp2Server = prototype.createHttp2Server;
if (typeof createHttp2Server !== 'function') {
  throw new Error('grpc-js no longer has Server.createHttp2Server: review src/grpc/grpc-listener-tuning.ts');
}
prototype.createHttp2Server = function tunedHttp2Server(this: PatchedServer, ...args: unknown[]): Http2Server {
  const listener = (createHttp2Server as (...a: unknown[]) => Http2Server).apply(this, args);
  const cap = this.options?.[CONNECTION_CAP_OPTION];
  if (typeof cap === 'number' && cap > 0) listener.maxConnections = cap;
  const window = this.options?.[RECEIVE_WINDOW_OPTION];
  if (typeof window === 'number' && window > PROTOCOL_DEFAULT_WINDOW) widenReceiveWindow(listener, window);
  return listener;
};

function widenReceiveWindow(listener: Http2Server, bytes: number): void {
  // Streams: the SETTINGS every new session starts with (merged with grpc-js's maxConcurrentStreams).
  listener.updateSettings({ initialWindowSize: bytes });
  // The connection's own window is not a setting: it grows only by WINDOW_UPDATE, sent here first.
  listener.on('session', (session: Http2Session) => session.setLocalWindowSize(bytes));
}
