/** Raw TCP for the fault suite: bytes no HTTP client would send, and what the server answers. */
import { connect, type Socket } from 'node:net';

export interface SocketOutcome {
  /** Everything the server wrote. */
  readonly text: string;
  /** Whether the server closed the connection (false: still open when `waitMs` ran out). */
  readonly closed: boolean;
  /** Milliseconds from connecting to the close (or to giving up). */
  readonly ms: number;
}

/** Opens a connection to `origin` (`http://host:port`), connected. */
export function openSocket(origin: string): Promise<Socket> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what the server sends on `socket` until it closes the connection or `waitMs` passes. */
export function outcomeOf(socket: Socket, waitMs: number): Promise<SocketOutcome> {
  const started = Date.now();
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (!closed) socket.destroy();
      resolve({ text: Buffer.concat(chunks).toString('utf8'), closed, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset is a close too
    socket.once('close', () => finish(true));
  });
}

/** Sends `bytes` on a new connection and collects the answer. */
export async function sendRaw(origin: string, bytes: string | Buffer, waitMs = 10_000): Promise<SocketOutcome> {
  const socket = await openSocket(origin);
  const outcome = outcomeOf(socket, waitMs);
  socket.write(bytes);
  return outcome;
}

/** The status and parsed JSON body of a raw HTTP/1.1 answer. */
export function parseRawAnswer(text: string): { status: number; body: unknown } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const bodyText = text.slice(text.indexOf('\r\n\r\n') + 4);
  return { status, body: JSON.parse(bodyText) as unknown };
}
