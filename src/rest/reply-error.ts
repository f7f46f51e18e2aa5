/**
 * Sends an error as the OpenAI envelope, and turns fastify's own errors (body limit, content type,
 * malformed JSON) into GatewayErrors first, so every error the adapter answers has the same shape.
 */
import type { FastifyReply } from 'fastify';
import { GatewayError, isGatewayError } from '../errors.js';
import { openAiErrorFromGatewayError, RestRequestError } from './openai-errors.js';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Answers `error` in the OpenAI envelope; `paramOf` renames domain fields to the caller's spelling. */
export function sendError(reply: FastifyReply, error: GatewayError, paramOf?: (field: string) => string | null): FastifyReply {
  const http = openAiErrorFromGatewayError(error, paramOf);
  return reply.code(http.status).headers(http.headers).type(JSON_CONTENT_TYPE).send(JSON.stringify(http.envelope));
}

/** A fastify (or other) error that reached the error handler, as a GatewayError. */
export function gatewayErrorFromFastify(error: unknown, bodyLimitBytes: number): GatewayError {
  if (isGatewayError(error)) return error;
  if (!(error instanceof Error)) return new GatewayError('INTERNAL', 'internal error', { cause: error });
  const code = 'code' in error ? error.code : undefined;
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${bodyLimitBytes} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new RestRequestError('invalid_content_type', 'Content-Type must be application/json');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new RestRequestError('invalid_json', 'the request body is empty; send a JSON object');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new RestRequestError('invalid_value', 'the request body does not match its Content-Length');
    default: {
      // Other client errors fastify detects (a bad URL, an unsupported encoding) keep their safe message.
      const status = 'statusCode' in error ? error.statusCode : undefined;
      if (typeof status === 'number' && status >= 400 && status < 500) return new RestRequestError('invalid_value', error.message);
      return new GatewayError('INTERNAL', 'internal error', { cause: error });
    }
  }
}
