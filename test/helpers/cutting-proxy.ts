/**
 * A TCP proxy on 127.0.0.1:0 in front of a server that cuts its first `cuts` connections after `cutAfterMs`
 * (both directions destroyed, as a proxy or load balancer timing out mid-render does); later
 * connections pass through untouched.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface CuttingProxy {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startCuttingProxy(target: { host: string; port: number }, options: { cutAfterMs: number; cuts?: number }): Promise<CuttingProxy> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    accepted += 1;
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
    if (accepted <= (options.cuts ?? 1)) {
      setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, options.cutAfterMs);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return accepted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
