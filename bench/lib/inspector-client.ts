/**
 * A minimal Chrome DevTools Protocol client over the inspector WebSocket of a child started with
 * `--inspect=127.0.0.1:0`: forces a full GC (`HeapProfiler.collectGarbage`) and reads the live JS heap
 * (`Runtime.getHeapUsage`), so memory per waiting request is measured on the retained heap, not on
 * whatever garbage RSS happens to hold.
 */
import { WebSocket } from 'undici';

export interface HeapUsage {
  /** Live JS heap after a full GC, KiB. */
  readonly usedKb: number;
  /** Heap reserved by V8, KiB. */
  readonly totalKb: number;
}

export interface InspectorClient {
  /** Full GC, then the heap's usage. */
  gcAndHeapUsage(): Promise<HeapUsage>;
  close(): void;
}

interface CdpReply {
  readonly id?: number;
  readonly result?: { readonly usedSize?: number; readonly totalSize?: number };
  readonly error?: { readonly message?: string };
}

/** The `ws://127.0.0.1:<port>/<id>` URL from the child's "Debugger listening on …" line. */
export function inspectorUrlOf(line: string): string | undefined {
  return /Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/.exec(line)?.[1];
}

export async function connectInspector(url: string): Promise<InspectorClient> {
  const socket = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`cannot connect to the inspector at ${url}`)), { once: true });
  });
  let nextId = 1;
  const waiting = new Map<number, { resolve: (reply: CdpReply) => void; reject: (error: Error) => void }>();
  socket.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as CdpReply;
    if (reply.id === undefined) return; // an event, not an answer
    const waiter = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.error !== undefined) waiter?.reject(new Error(`inspector: ${reply.error.message ?? 'error'}`));
    else waiter?.resolve(reply);
  });
  const call = (method: string) =>
    new Promise<CdpReply>((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method }));
    });
  return {
    async gcAndHeapUsage() {
      await call('HeapProfiler.collectGarbage');
      const usage = (await call('Runtime.getHeapUsage')).result;
      if (usage?.usedSize === undefined || usage.totalSize === undefined) throw new Error('inspector: no heap usage in the answer');
      return { usedKb: usage.usedSize / 1024, totalKb: usage.totalSize / 1024 };
    },
    close: () => socket.close(),
  };
}
