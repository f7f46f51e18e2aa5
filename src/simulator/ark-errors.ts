/**
 * Ark's error answers (reference §2.1): `{"error":{code,message,param,type}}` with the HTTP status and
 * `type` of the platform error table, a message ending in the request id, and the `x-request-id` and
 * `x-error-code` headers. Every error the simulator answers is built and sent here.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** An error answer the simulator sends instead of a result. */
export class ArkError extends Error {
  override readonly name = 'ArkError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The request field at fault (`size`, `image`, …), or '' when none (as Ark sends it). */
    readonly param = '',
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  /** The `type` column of the Ark error table for this status (reference §2.1). */
  get type(): string {
    return errorTypeOf(this.status);
  }
}

function errorTypeOf(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 413:
      return 'RequestEntityTooLarge';
    case 429:
      return 'TooManyRequests';
    // 503 is not in the Ark table (reference §2.1); the simulator names it after the HTTP reason.
    case 503:
      return 'ServiceUnavailable';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequest';
  }
}

/** 400 `InvalidParameter` naming the field, in Ark's wording. */
export function invalidParameter(param: string, problem: string): ArkError {
  return new ArkError(400, 'InvalidParameter', `The parameter \`${param}\` specified in the request is not valid: ${problem}.`, param);
}

/** 400 `InvalidParameter` for a field the model does not accept (reference §1.2 ✗ cells). */
export function unsupportedParameter(param: string, modelId: string): ArkError {
  return invalidParameter(param, `${param} is not supported by model ${modelId}`);
}

/** 400 `MissingParameter` naming the field. */
export function missingParameter(param: string): ArkError {
  return new ArkError(
    400,
    'MissingParameter',
    `The request failed because it is missing one or multiple required parameters: \`${param}\`.`,
    param,
  );
}

/** 401 as the upstream answers a missing or wrong key (reference §2.1, observed body). */
export function authenticationError(): ArkError {
  return new ArkError(401, 'AuthenticationError', 'the API key or AK/SK in the request is missing or invalid.');
}

/** Creates request ids shaped like Ark's (`02` + Unix ms + hex), unique per simulator. */
export function createRequestIdSource(now: () => number): () => string {
  const instance = randomBytes(6).toString('hex');
  let counter = 0;
  return () => `02${now()}${instance}${(counter++ & 0xffffffff).toString(16).padStart(8, '0')}`;
}

/** A message ending in `Request id: <id>`, as the upstream's error messages do (reference §2.1). */
export function withRequestId(message: string, requestId: string): string {
  return `${message.replace(/\.?$/, '.')} Request id: ${requestId}`;
}

/** The error's JSON body. */
export function arkErrorBody(error: ArkError, requestId: string): string {
  const message = withRequestId(error.message, requestId);
  return JSON.stringify({ error: { code: error.code, message, param: error.param, type: error.type } });
}

/** The `{code, message}` object of a failed image in a set (`data[i].error`, `partial_failed`). */
export interface ImageErrorObject {
  readonly code: string;
  readonly message: string;
}

/** Sends an Ark error answer, unless the response has already started. */
export function sendArkError(res: ServerResponse, error: ArkError, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const body = arkErrorBody(error, requestId);
  res.writeHead(error.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
    'x-error-code': error.code,
    ...error.headers,
  });
  res.end(body);
}
