/**
 * Answers for what never becomes a request: errors Node's HTTP parser raises on a connection
 * (conflicting Content-Length and Transfer-Encoding, a bad chunk size, oversized headers, a NUL in a
 * header, a bad method, an HTTP/2 preface on this HTTP/1.1 port, a request not received within
 * HTTP_REQUEST_TIMEOUT_MS) and URLs fastify cannot decode. Without these, the REST port answered Node's
 * `{"error":"Bad Request","message":"Client Error"}`, a bare 431, or fastify's FST_ERR_BAD_URL: every
 * answer of the port is the OpenAI envelope (docs/rest.md "Errors").
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply } from 'fastify';
import { RestRequestError } from './openai-errors.js';
import { sendError } from './reply-error.js';

/** A parser error as Node reports it to `clientError` (`code` is `HPE_…` or `ERR_HTTP_…`). */
interface ConnectionError extends Error {
  readonly code?: string;
}

interface RawAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly code: string;
  readonly message: string;
}

/** The answer to a parser error; the parser's code is safe to show (it names the rule, not data). */
export function rawAnswerFor(error: ConnectionError): RawAnswer {
  switch (error.code) {
    // The whole request did not arrive within HTTP_REQUEST_TIMEOUT_MS (a slow or stalled body).
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, statusText: 'Request Timeout', code: 'request_timeout', message: 'the request was not received in time; the connection is closed' };
    // Headers larger than Node's limit (16 KiB by default).
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, statusText: 'Request Header Fields Too Large', code: 'headers_too_large', message: 'the request headers are too large' };
    default:
      return {
        status: 400,
        statusText: 'Bad Request',
        code: 'invalid_http',
        message: `the request is not valid HTTP/1.1 (${/^[A-Z0-9_]{1,40}$/.test(error.code ?? '') ? error.code : 'unparsable'}); the connection is closed`,
      };
  }
}

/** fastify's `clientErrorHandler`: writes the envelope as a raw HTTP response and closes the socket. */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  // A reset connection has nobody to answer; a destroyed one cannot be written to.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on this socket (a stream, when garbage follows the request) cannot
  // take another one in its middle: the connection is only closed. Node's own default handler makes
  // the same check on the same field.
  const current = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  const midResponse = current != null && current.headersSent && !current.writableEnded;
  if (socket.writable && !midResponse) {
    const answer = rawAnswerFor(error);
    const body = JSON.stringify({ error: { message: answer.message, type: 'invalid_request_error', param: null, code: answer.code } });
    socket.write(
      `HTTP/1.1 ${answer.status} ${answer.statusText}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.end();
  socket.destroySoon();
}

/** fastify's `frameworkErrors`: a URL it cannot decode (`/v1/models/%zz`) is the caller's 400. */
export function answerFrameworkError(error: FastifyError, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_BAD_URL' ? 'the request URL is not valid (bad percent-encoding)' : 'the request cannot be routed';
  void sendError(reply, new RestRequestError('invalid_value', message));
}
