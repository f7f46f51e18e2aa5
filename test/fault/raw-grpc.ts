/** Raw HTTP/2 for the fault suite: gRPC requests no generated client would send (undecodable
 *  messages, unreadable `grpc-timeout`, a message that never completes), and the status they get. */
import { connect, constants } from 'node:http2';

export interface RawGrpcOutcome {
  /** `grpc-status`, or undefined when the stream ended without one. */
  readonly code: number | undefined;
  readonly message: string;
  readonly ms: number;
}

export interface RawGrpcCall {
  /** Headers besides the gRPC ones (`grpc-timeout`, `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes sent as the request body (framed or not: the caller decides). */
  readonly body: Buffer;
  /** Whether the request stream is ended after the body (false: held open). */
  readonly end?: boolean;
  readonly waitMs?: number;
}

/** A length-prefixed gRPC message frame around `message`. */
export function grpcFrame(message: Uint8Array): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(message.length, 1);
  return Buffer.concat([header, message]);
}

/** Sends one call to `address` (`127.0.0.1:port`) on `path` and resolves with its final status. */
export function rawGrpcCall(address: string, path: string, call: RawGrpcCall): Promise<RawGrpcOutcome> {
  const started = Date.now();
  const session = connect(`http://${address}`);
  session.on('error', () => undefined);
  const stream = session.request({
    [constants.HTTP2_HEADER_METHOD]: 'POST',
    [constants.HTTP2_HEADER_PATH]: path,
    'content-type': 'application/grpc',
    te: 'trailers',
    ...call.headers,
  });
  return new Promise((resolve) => {
    let code: number | undefined;
    let message = '';
    let ended = -1;
    const read = (headers: Record<string, unknown>) => {
      if (typeof headers['grpc-message'] === 'string') message = decodeURIComponent(headers['grpc-message']);
      if (headers['grpc-status'] === undefined) return;
      code = Number(headers['grpc-status']);
      // The status ends the call, even while our side of a held-open stream is still open.
      ended = Date.now() - started;
      stream.close();
    };
    const timer = setTimeout(() => stream.close(), call.waitMs ?? 15_000);
    stream.on('response', read);
    stream.on('trailers', read);
    stream.on('data', () => undefined);
    stream.on('error', () => undefined);
    stream.on('close', () => {
      clearTimeout(timer);
      session.close();
      resolve({ code, message, ms: ended === -1 ? Date.now() - started : ended });
    });
    stream.write(call.body);
    if (call.end !== false) stream.end();
  });
}
