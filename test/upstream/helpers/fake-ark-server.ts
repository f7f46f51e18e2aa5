/**
 * A scripted fake of an Ark-style images endpoint on 127.0.0.1:0 (real HTTP, node:http). Each test
 * queues the answers it wants — status, headers, body chunks with delays, SSE frames, socket resets —
 * and reads back the requests the server received and whether their sockets were closed.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One step of a scripted answer body. */
export type Step =
  | string
  | Buffer
  | { readonly delayMs: number }
  /** Destroys the socket abruptly (RST when possible). */
  | { readonly reset: true }
  /** Never ends the answer (until the client goes away). */
  | { readonly hang: true };

export interface ScriptedAnswer {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait before sending the headers. */
  readonly headersDelayMs?: number;
  /** Reset the connection instead of answering at all. */
  readonly resetBeforeHeaders?: boolean;
  /** Body steps, sent in order; the answer ends after the last unless it hangs or resets. */
  readonly body?: readonly Step[];
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON (undefined when not JSON). */
  readonly json: unknown;
  /** The client's port: equal for requests that shared a keep-alive connection. */
  readonly clientPort: number | undefined;
  /** Resolves when this request's socket is closed. */
  readonly socketClosed: Promise<void>;
  /** Whether the socket was closed at the time of reading. */
  isSocketClosed(): boolean;
}

export type Script = ScriptedAnswer | ((request: RecordedRequest) => ScriptedAnswer);

/** A running fake server. */
export interface FakeArkServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Queues answers, used in order; once the queue is empty the last one repeats. */
  enqueue(...answers: Script[]): void;
  close(): Promise<void>;
}

/** JSON answer helper. */
export function jsonAnswer(status: number, body: unknown, headers: Record<string, string> = {}): ScriptedAnswer {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: [JSON.stringify(body)] };
}

/** One SSE frame (`event:` + one `data:` line + blank line). */
export function sseFrame(data: unknown, event?: string): string {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${text}\n\n`;
}

/** SSE answer helper: status 200, `text/event-stream`, the given steps. */
export function sseAnswer(steps: readonly Step[], headers: Record<string, string> = {}): ScriptedAnswer {
  return { status: 200, headers: { 'content-type': 'text/event-stream', ...headers }, body: steps };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a fake server on 127.0.0.1 with an ephemeral port. */
export async function startFakeArkServer(): Promise<FakeArkServer> {
  const requests: RecordedRequest[] = [];
  const queue: Script[] = [];
  let last: Script = jsonAnswer(500, { error: { code: 'InternalServiceError', message: 'no script' } });
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const socket = req.socket;
      const socketClosed = closedPromises.get(socket) ?? Promise.resolve();
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json,
        clientPort: socket.remotePort,
        socketClosed,
        isSocketClosed: () => socket.destroyed || socket.closed,
      };
      requests.push(recorded);
      const script = queue.shift() ?? last;
      last = script;
      const answer = typeof script === 'function' ? script(recorded) : script;
      void play(answer, res, socket);
    });
  });
  const closedPromises = new WeakMap<Socket, Promise<void>>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    closedPromises.set(socket, new Promise<void>((resolve) => socket.once('close', () => resolve())));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue: (...answers) => queue.push(...answers),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function play(answer: ScriptedAnswer, res: ServerResponse, socket: Socket): Promise<void> {
  if (answer.headersDelayMs !== undefined) await sleep(answer.headersDelayMs);
  if (answer.resetBeforeHeaders === true) {
    socket.resetAndDestroy();
    return;
  }
  res.writeHead(answer.status ?? 200, answer.headers);
  res.flushHeaders();
  for (const step of answer.body ?? []) {
    if (socket.destroyed) return;
    if (typeof step === 'string' || Buffer.isBuffer(step)) {
      res.write(step);
    } else if ('delayMs' in step) {
      await sleep(step.delayMs);
    } else if ('reset' in step) {
      socket.resetAndDestroy();
      return;
    } else {
      return; // hang: leave the answer open
    }
  }
  res.end();
}
