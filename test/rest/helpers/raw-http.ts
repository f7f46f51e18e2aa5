/** Raw HTTP for byte-exact assertions: a request with any method, headers and body, and the response
 *  as status, headers and the exact body text. */
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  json(): unknown;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
}

/** Sends a request and resolves once the response has been read to the end. */
export function rawRequest(origin: string, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${origin}${req.path}`, { method: req.method ?? 'GET', headers: req.headers }, (res) => {
      readAll(res).then((text) => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) as unknown }), reject);
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export async function readAll(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a request and resolves with the response as soon as its headers arrive (body unread). */
export function openResponse(origin: string, req: RawRequest): Promise<{ res: IncomingMessage; abort: () => void }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${origin}${req.path}`, { method: req.method ?? 'GET', headers: req.headers }, (res) => {
      resolve({ res, abort: () => outgoing.destroy() });
    });
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

/** Starts a request and returns it at once, for tests that abandon it before any response. */
export function startRequest(origin: string, req: RawRequest): { request: ClientRequest; response: Promise<IncomingMessage> } {
  const request = httpRequest(`${origin}${req.path}`, { method: req.method ?? 'GET', headers: req.headers });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    request.on('response', resolve);
    request.on('error', reject);
  });
  response.catch(() => undefined); // destroyed on purpose by the tests
  request.end(req.body);
  return { request, response };
}
