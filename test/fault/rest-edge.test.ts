/**
 * Fault suite, REST edge: bytes no HTTP client would send, slow and stalled requests, and too many
 * connections. Every answer the port gives is the OpenAI envelope, and no connection is held forever
 * (issue 10, items 5 and 7; DESIGN §9).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completed, image } from '../helpers/scripted-upstream.js';
import { startScripted, type RestHarness } from '../rest/helpers/rest-harness.js';
import { openSocket, outcomeOf, parseRawAnswer, sendRaw } from './raw-socket.js';

let gateway: RestHarness;

beforeAll(async () => {
  gateway = await startScripted(
    async function* () {
      yield image(0);
      yield completed(1);
    },
    { open: true, env: { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_MAX_CONNECTIONS: '4' } },
  );
});
afterAll(() => gateway.close());

const envelope = (code: string) => ({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code } });

describe('what Node\'s HTTP parser refuses is answered with the OpenAI envelope', () => {
  const post = 'POST /v1/images/generations HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\n';
  it.each([
    ['conflicting Content-Length and Transfer-Encoding', `${post}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400, 'invalid_http'],
    ['a bad chunk size', `${post}Transfer-Encoding: chunked\r\n\r\nzz\r\n`, 400, 'invalid_http'],
    ['a 64 KB header', `GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`, 431, 'headers_too_large'],
    ['a NUL in a header', 'GET /healthz HTTP/1.1\r\nHost: gw\r\nX-Bad: a\0b\r\n\r\n', 400, 'invalid_http'],
    ['a bad method', 'FO@O /healthz HTTP/1.1\r\nHost: gw\r\n\r\n', 400, 'invalid_http'],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, 'invalid_http'],
  ])('%s', async (_label, bytes, status, code) => {
    const outcome = await sendRaw(gateway.url, bytes);
    expect(outcome.closed).toBe(true);
    const answer = parseRawAnswer(outcome.text);
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(envelope(code));
  });

  it('answers a URL with bad percent-encoding with a 400 envelope, not FST_ERR_BAD_URL', async () => {
    const outcome = await sendRaw(gateway.url, 'GET /v1/models/%zz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    const answer = parseRawAnswer(outcome.text);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(envelope('invalid_value'));
    expect(outcome.text).not.toContain('FST_');
  });
});

describe('slow requests and connection counts are bounded', () => {
  it('answers 408 and closes a connection whose body drips in slower than HTTP_REQUEST_TIMEOUT_MS', async () => {
    const socket = await openSocket(gateway.url);
    const outcome = outcomeOf(socket, 15_000);
    socket.write('POST /v1/images/generations HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const drip = setInterval(() => socket.writable && socket.write(' '), 200);
    const result = await outcome;
    clearInterval(drip);
    expect(result.closed).toBe(true);
    // 1.5 s timeout, checked every second: generous for a loaded machine, far from "held forever".
    expect(result.ms).toBeLessThan(10_000);
    expect(parseRawAnswer(result.text)).toEqual({ status: 408, body: envelope('request_timeout') });
  });

  it('closes a connection that never sends a request after HTTP_REQUEST_TIMEOUT_MS', async () => {
    const idle = await openSocket(gateway.url);
    const result = await outcomeOf(idle, 15_000);
    expect(result.closed).toBe(true);
    expect(result.ms).toBeLessThan(10_000);
  });

  it('closes connections beyond HTTP_MAX_CONNECTIONS at once, and serves again once they are gone', async () => {
    const held = await Promise.all(Array.from({ length: 4 }, () => openSocket(gateway.url)));
    // Give the server a moment to accept all four before the fifth arrives.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const extra = await openSocket(gateway.url);
    const refused = await outcomeOf(extra, 5000);
    expect(refused.closed).toBe(true);
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const served = await sendRaw(gateway.url, 'GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(parseRawAnswer(served.text).status).toBe(200);
  });
});
