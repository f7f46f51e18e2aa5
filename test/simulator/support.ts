/**
 * HTTP helpers for the simulator tests: posting generation requests with fetch, raw requests with
 * node:http (exact bytes and header timing), downloading and decoding images, splitting SSE frames.
 */
import { request } from 'node:http';
import { expect } from 'vitest';
import type { TestSimulator } from '../helpers/simulator.js';
import { decodeImage, type DecodedImage } from '../helpers/image-decoders.js';

export interface ArkImageItem {
  url?: string;
  b64_json?: string;
  size?: string;
  output_format?: string;
  error?: { code: string; message: string };
}

export interface ArkBody {
  model?: string;
  created?: number;
  data?: ArkImageItem[];
  tools?: { type: string }[];
  usage?: Record<string, unknown> & { generated_images: number; output_tokens: number; total_tokens: number };
  error?: { code: string; message: string; param: string; type: string };
}

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ArkBody;
}

/** Posts a generation request (Ark path unless `path` says otherwise) and parses the JSON answer. */
export async function generate(
  sim: TestSimulator,
  body: unknown,
  init: { path?: string; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const key = init.key === undefined ? sim.apiKey : init.key;
  const response = await fetch(`${sim.url}${init.path ?? '/api/v3/images/generations'}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(key !== null && { authorization: `Bearer ${key}` }),
      ...init.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as ArkBody };
}

/** Asserts an Ark error answer: status, code, param, message ending in the x-request-id. */
export function expectArkError(answer: Answer, status: number, code: string, param?: string): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const requestId = answer.headers.get('x-request-id');
  expect(requestId).toMatch(/^02\d{13}[0-9a-f]+$/);
  expect(answer.body.error?.code).toBe(code);
  expect(answer.body.error?.message.endsWith(`Request id: ${requestId ?? ''}`)).toBe(true);
  expect(answer.headers.get('x-error-code')).toBe(code);
  if (param !== undefined) expect(answer.body.error?.param).toBe(param);
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  /** ms from sending the request to receiving the response headers. */
  readonly headersAfterMs: number;
  /** Each chunk received with its arrival time (ms after sending). */
  readonly chunks: readonly { readonly atMs: number; readonly text: string }[];
}

/** Posts with node:http and returns the exact bytes; rejects when the connection is reset. */
export function rawPost(sim: TestSimulator, body: unknown, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const payload = JSON.stringify(body);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${sim.url}/api/v3/images/generations`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.apiKey}`, ...headers },
      },
      (res) => {
        const headersAfterMs = performance.now() - started;
        const chunks: Buffer[] = [];
        const timed: { atMs: number; text: string }[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          timed.push({ atMs: performance.now() - started, text: chunk.toString('utf8') });
        });
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), headersAfterMs, chunks: timed }),
        );
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Downloads an image URL and decodes it. */
export async function download(url: string): Promise<{ response: Response; bytes: Buffer; image: DecodedImage }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  return { response, bytes, image: decodeImage(bytes) };
}

/** Asserts that an item's image (URL or base64) decodes to its reported size; returns the image. */
export async function expectImageOfReportedSize(item: ArkImageItem, format: 'jpeg' | 'png' = 'jpeg'): Promise<DecodedImage> {
  const bytes = item.url !== undefined ? (await download(item.url)).bytes : Buffer.from(item.b64_json ?? '', 'base64');
  const image = decodeImage(bytes);
  expect(image.format).toBe(format);
  expect(`${image.width}x${image.height}`).toBe(item.size);
  return image;
}

/** One SSE frame: its `event:` value (if any) and its `data:` value. */
export interface SseFrame {
  readonly event: string | undefined;
  readonly data: string;
}

/** Splits an SSE body into frames, asserting the simulator's exact framing: every frame is an optional
 *  `event:` line, one `data:` line, a blank line — and nothing else. */
export function sseFrames(body: string): SseFrame[] {
  expect(body.endsWith('\n\n')).toBe(true);
  const frames = body.slice(0, -2).split('\n\n').map((block) => {
    const lines = block.split('\n');
    const event = lines.length === 2 ? lines[0] : undefined;
    const data = lines[lines.length - 1] ?? '';
    expect(lines.length === 1 || (lines.length === 2 && event?.startsWith('event: ') === true), block).toBe(true);
    expect(data.startsWith('data: '), block).toBe(true);
    return { event: event?.slice('event: '.length), data: data.slice('data: '.length) };
  });
  return frames;
}

/** Posts a request and reports only its outcome: status, content type and (for errors) the Ark error. */
export async function outcome(sim: TestSimulator, body: unknown): Promise<{ status: number; contentType: string; error?: ArkBody['error'] }> {
  const response = await fetch(`${sim.url}/api/v3/images/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.apiKey}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const contentType = response.headers.get('content-type') ?? '';
  const text = await response.text();
  const error = contentType.includes('json') ? (JSON.parse(text) as ArkBody).error : undefined;
  return { status: response.status, contentType, ...(error && { error }) };
}
