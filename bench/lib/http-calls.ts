/**
 * HTTP load calls over an undici Pool (keep-alive, one request per connection at a time): a JSON POST or
 * an SSE POST, each answer read to the end and checked; anything but a complete 200 throws.
 */
import { Pool } from 'undici';
import type { LoadCall } from './closed-loop.js';
import type { ContentCheck } from './content-check.js';
import { inspectArkJson, inspectArkSse } from './response-content.js';

export interface HttpTarget {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  readonly path: string;
  /** Bearer key sent in `authorization`. */
  readonly key: string;
  /** The JSON request body. */
  readonly body: string;
  /** Whether the answer is SSE (`stream: true`). */
  readonly sse: boolean;
  /** More request headers (a peer gateway's routing headers); an `authorization` here replaces the key's. */
  readonly headers?: Readonly<Record<string, string>>;
}

/** A pool sized for `connections` concurrent requests; close it after the phase. */
export function createHttpPool(origin: string, connections: number): Pool {
  return new Pool(origin, { connections, pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
}

/** One POST of `target.body`, its answer read whole and checked by `content`. */
export function httpCall(pool: Pool, target: HttpTarget, content: ContentCheck): LoadCall {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${target.key}`, ...target.headers };
  const expectedType = target.sse ? 'text/event-stream' : 'application/json';
  return async () => {
    const response = await pool.request({ path: target.path, method: 'POST', headers, body: target.body });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
    }
    const contentType = String(response.headers['content-type'] ?? '');
    if (response.statusCode !== 200 || !contentType.startsWith(expectedType)) {
      throw new Error(`POST ${target.origin}${target.path}: ${response.statusCode} ${contentType} ${Buffer.concat(chunks).toString('utf8', 0, 500)}`);
    }
    if (target.sse && !endsWithDone(chunks)) throw new Error(`POST ${target.origin}${target.path}: the stream did not end with [DONE]`);
    content.check(size, () => {
      const text = Buffer.concat(chunks, size).toString('utf8');
      return target.sse ? inspectArkSse(text) : inspectArkJson(text);
    });
  };
}

function endsWithDone(chunks: readonly Buffer[]): boolean {
  const last = chunks.length === 0 ? '' : Buffer.concat(chunks.slice(-2)).toString('utf8').slice(-64);
  return last.trimEnd().endsWith('data: [DONE]');
}
