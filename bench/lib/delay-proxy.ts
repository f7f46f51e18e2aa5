/**
 * A TCP proxy on loopback that holds every chunk for a fixed time in each direction: a network with a
 * round trip of 2 × `delayMs` and no bandwidth limit, so a transfer through it waits only for round
 * trips (HTTP/2 flow-control windows, TCP handshakes), never for bytes. Scenario 9 puts it between the
 * load generator and the gateway to show what a receive window costs a client on a real network.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface DelayProxy {
  /** `127.0.0.1:<port>` to connect to instead of the target. */
  readonly address: string;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined); // the peer's close ends the pair below
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    relayLate(client, upstream, delayMs);
    relayLate(upstream, client, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Chunks keep their order: every one waits the same time, and timers of equal delay fire in order. */
function relayLate(from: Socket, to: Socket, delayMs: number): void {
  from.on('data', (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
}
