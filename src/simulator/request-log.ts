/**
 * The log of generation requests the simulator received, for assertions: what was sent (headers with
 * the key redacted, the body with image bytes replaced by a placeholder) and how it ended (status,
 * images delivered, client abort). Bounded: the oldest entries are dropped past the limit.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults.js';

/** One generation request as received and answered. */
export interface RequestLogEntry {
  /** The request id answered in `x-request-id`. */
  readonly id: string;
  readonly method: string;
  readonly path: string;
  /** Lower-case header names; `authorization` keeps only its scheme (`Bearer <redacted>`). */
  readonly headers: Readonly<Record<string, string>>;
  /** The JSON body with every data URI / long base64 string replaced by `"data:image/png;base64,<1234 bytes>"`;
   *  undefined when the body was not JSON. */
  readonly body: unknown;
  /** Simulator clock (ms since the epoch) when the request arrived. */
  readonly receivedAt: number;
  /** HTTP status answered; undefined while running or when the connection was reset before any answer. */
  readonly status: number | undefined;
  readonly imagesDelivered: number;
  readonly imagesFailed: number;
  /** True when the client went away before the answer was complete (generation was stopped). */
  readonly aborted: boolean;
  /** The fault this request took from the queue, if any. */
  readonly fault: FaultKind | undefined;
  /** Simulator clock when the request finished (answered, reset or aborted); undefined while running. */
  readonly completedAt: number | undefined;
}

type MutableEntry = { -readonly [K in keyof RequestLogEntry]: RequestLogEntry[K] };

/** Read side of the log, exposed as `simulator.requests`. */
export interface RequestLog {
  /** Copies of the entries, oldest first. */
  entries(): RequestLogEntry[];
  clear(): void;
  /** Resolves once no logged request is running. */
  idle(): Promise<void>;
  /** Resolves with the first finished entry matching `predicate` (waiting for it if needed). */
  waitFor(predicate: (entry: RequestLogEntry) => boolean, timeoutMs?: number): Promise<RequestLogEntry>;
}

/** The log with its write side, used by the request handler. */
export interface RequestRecorder extends RequestLog {
  start(init: { id: string; method: string; path: string; headers: IncomingHttpHeaders; body: unknown; receivedAt: number }): MutableEntry;
  finish(entry: MutableEntry, completedAt: number): void;
}

/** Creates a log keeping the last `limit` entries (0 keeps none, for benchmarks). */
export function createRequestRecorder(limit: number): RequestRecorder {
  let entries: MutableEntry[] = [];
  const running = new Set<MutableEntry>();
  let waiters: (() => void)[] = [];
  const notify = () => {
    const current = waiters;
    waiters = [];
    for (const wake of current) wake();
  };
  const changed = () => new Promise<void>((resolve) => waiters.push(resolve));

  return {
    start(init) {
      const entry: MutableEntry = {
        id: init.id,
        method: init.method,
        path: init.path,
        // With no log kept (benchmarks) the entry only tracks the outcome: skip the redaction work.
        headers: limit > 0 ? redactHeaders(init.headers) : {},
        body: limit > 0 ? redactBody(init.body) : undefined,
        receivedAt: init.receivedAt,
        status: undefined,
        imagesDelivered: 0,
        imagesFailed: 0,
        aborted: false,
        fault: undefined,
        completedAt: undefined,
      };
      running.add(entry);
      if (limit > 0) {
        entries.push(entry);
        if (entries.length > limit) entries.shift();
      }
      return entry;
    },
    finish(entry, completedAt) {
      if (entry.completedAt !== undefined) return;
      entry.completedAt = completedAt;
      running.delete(entry);
      notify();
    },
    entries: () => entries.map((entry) => ({ ...entry })),
    clear() {
      entries = [];
    },
    async idle() {
      while (running.size > 0) await changed();
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = entries.find((entry) => entry.completedAt !== undefined && predicate({ ...entry }));
        if (found !== undefined) return { ...found };
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('no matching simulator request finished in time');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([changed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, left)))]);
        clearTimeout(timer);
      }
    },
  };
}

function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  if (out.authorization !== undefined) out.authorization = `${out.authorization.split(' ')[0] ?? ''} <redacted>`;
  return out;
}

const dataUri = /^(data:[^,]{0,100};base64),/i;
const longBase64 = /^[A-Za-z0-9+/_-]{256,}={0,2}$/;

/** The body with image bytes replaced by a short placeholder naming their decoded size. */
export function redactBody(value: unknown): unknown {
  if (typeof value === 'string') {
    const match = dataUri.exec(value);
    if (match !== null) return `${match[1]},<${base64Bytes(value.slice(match[0].length))} bytes>`;
    return value.length >= 256 && longBase64.test(value) ? `<base64, ${base64Bytes(value)} bytes>` : value;
  }
  if (Array.isArray(value)) return value.map(redactBody);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, redactBody(child)]));
  }
  return value;
}

/** Decoded size of base64 text (without decoding it). */
function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}
