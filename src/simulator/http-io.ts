/**
 * Small HTTP helpers shared by the simulator's routes: reading a bounded request body, answering JSON,
 * and checking the Bearer key.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The whole request body, or `too-large` once it passes `limit` bytes (the rest is read and dropped,
 *  so the connection stays usable for the 413 answer). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      resolve('too-large');
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

/** Parses JSON, or returns `invalid`. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return INVALID_JSON;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

/** Marker for a body that is not JSON. */
export const INVALID_JSON: unique symbol = Symbol('invalid JSON');

/** Answers with a JSON body. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Whether `Authorization: Bearer <key>` is acceptable: the configured key, or any non-empty key when
 *  none is configured. */
export function isAuthorized(header: string | undefined, apiKey: string | undefined): boolean {
  const match = /^Bearer\s+(\S.*)$/i.exec(header ?? '');
  const key = match?.[1]?.trim();
  if (key === undefined || key === '') return false;
  if (apiKey === undefined) return true;
  const given = Buffer.from(key);
  const wanted = Buffer.from(apiKey);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
