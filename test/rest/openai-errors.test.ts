/**
 * The error mapping as a table: each reason's HTTP status (canonical table, conventions C.4), OpenAI
 * `type` and stable `code`; the headers that go with them; messages renamed to the caller's spelling;
 * and the domain → REST field names.
 */
import { describe, expect, it } from 'vitest';
import { errorReasons, GatewayError, invalidArgument, type ErrorReason } from '../../src/errors.js';
import { openAiErrorFromGatewayError, RestRequestError } from '../../src/rest/openai-errors.js';
import { paramNamer, restParamName } from '../../src/rest/param-names.js';

const table: ReadonlyArray<readonly [ErrorReason, number, string, string]> = [
  ['INVALID_ARGUMENT', 400, 'invalid_request_error', 'invalid_value'],
  ['MODEL_NOT_FOUND', 404, 'invalid_request_error', 'model_not_found'],
  ['UNAUTHENTICATED', 401, 'authentication_error', 'invalid_api_key'],
  ['PAYLOAD_TOO_LARGE', 413, 'invalid_request_error', 'payload_too_large'],
  ['RATE_LIMITED', 429, 'rate_limit_error', 'rate_limit_exceeded'],
  ['QUOTA_EXCEEDED', 429, 'insufficient_quota', 'insufficient_quota'],
  ['CONCURRENCY_LIMITED', 429, 'rate_limit_error', 'concurrency_limit_exceeded'],
  ['CONTENT_REJECTED', 400, 'image_generation_user_error', 'moderation_blocked'],
  ['UPSTREAM_AUTH_FAILED', 500, 'server_error', 'upstream_auth_failed'],
  ['UPSTREAM_UNAVAILABLE', 503, 'server_error', 'upstream_unavailable'],
  ['UPSTREAM_BAD_RESPONSE', 500, 'server_error', 'upstream_bad_response'],
  ['DEADLINE_EXCEEDED', 504, 'server_error', 'deadline_exceeded'],
  ['CANCELLED', 499, 'invalid_request_error', 'request_cancelled'],
  ['SHUTTING_DOWN', 503, 'server_error', 'shutting_down'],
  ['IDEMPOTENCY_CONFLICT', 422, 'invalid_request_error', 'idempotency_key_reused'],
  ['JOB_NOT_FOUND', 404, 'invalid_request_error', 'job_not_found'],
  ['INTERNAL', 500, 'server_error', 'internal_error'],
];

describe('reason → HTTP status and envelope', () => {
  it('covers every reason', () => {
    expect(table.map(([reason]) => reason).sort()).toEqual(Object.keys(errorReasons).sort());
  });

  it.each(table)('%s → %i %s / %s', (reason, status, type, code) => {
    const http = openAiErrorFromGatewayError(new GatewayError(reason, 'something happened'));
    expect(http.status).toBe(status);
    expect(http.envelope.error).toMatchObject({ type, code, param: null });
  });

  it.each(table.filter(([reason]) => errorReasons[reason].retryable))('%s carries Retry-After', (reason) => {
    expect(openAiErrorFromGatewayError(new GatewayError(reason, 'x')).headers).toMatchObject({ 'retry-after': '1', 'retry-after-ms': '1000' });
    expect(openAiErrorFromGatewayError(new GatewayError(reason, 'x', { retryAfterMs: 12_300 })).headers).toMatchObject({ 'retry-after': '13', 'retry-after-ms': '12300' });
  });

  it.each(table.filter(([reason]) => !errorReasons[reason].retryable))('%s carries no Retry-After', (reason) => {
    expect(openAiErrorFromGatewayError(new GatewayError(reason, 'x')).headers['retry-after']).toBeUndefined();
  });

  it('tells the OpenAI SDKs not to retry what retrying cannot fix (x-should-retry: false), and only that', () => {
    const header = (error: GatewayError) => openAiErrorFromGatewayError(error).headers['x-should-retry'];
    // Upstream may have accepted (and billed) the work: a 500/504 the SDK would otherwise re-send.
    expect(header(new GatewayError('UPSTREAM_BAD_RESPONSE', 'x'))).toBe('false');
    expect(header(new GatewayError('DEADLINE_EXCEEDED', 'x'))).toBe('false');
    expect(header(new GatewayError('IDEMPOTENCY_CONFLICT', 'x'))).toBe('false');
    // A job's stored failure is replayed as not retryable, whatever its reason.
    expect(header(new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { retryable: false }))).toBe('false');
    expect(header(new GatewayError('UPSTREAM_UNAVAILABLE', 'x'))).toBeUndefined();
    expect(header(new GatewayError('RATE_LIMITED', 'x'))).toBeUndefined();
    expect(header(new GatewayError('INVALID_ARGUMENT', 'x'))).toBeUndefined(); // 400: the SDKs never retry it
  });

  it('asks for Bearer credentials on 401', () => {
    expect(openAiErrorFromGatewayError(new GatewayError('UNAUTHENTICATED', 'no key')).headers['www-authenticate']).toBe('Bearer realm="seedream-gateway"');
  });

  it('echoes the upstream request id', () => {
    const error = new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { upstream: { status: 502, requestId: 'req-9' } });
    expect(openAiErrorFromGatewayError(error).headers['x-upstream-request-id']).toBe('req-9');
  });

  it.each(['INTERNAL', 'UPSTREAM_AUTH_FAILED'] as const)('%s never shows its own message', (reason) => {
    const error = new GatewayError(reason, 'key sk-live-123 rejected at https://user:pw@ark.example', { cause: new Error('stack') });
    const message = openAiErrorFromGatewayError(error).envelope.error.message;
    expect(message).not.toContain('sk-live');
    expect(message).not.toContain('ark.example');
  });

  it('renames domain fields in INVALID_ARGUMENT messages and param', () => {
    const error = invalidArgument([
      { field: 'referenceImages[2]', description: 'not a data URI' },
      { field: 'imageSet.maxImages', description: 'too many' },
    ]);
    const http = openAiErrorFromGatewayError(error, paramNamer({ name: 'image_input', single: false }));
    expect(http.envelope.error).toEqual({ message: 'image_input[2]: not a data URI (and 1 more problem)', type: 'invalid_request_error', param: 'image_input[2]', code: 'invalid_value' });
  });

  it('keeps the edge\'s own code and message', () => {
    const http = openAiErrorFromGatewayError(new RestRequestError('unknown_parameter', 'Unrecognized request argument supplied: foo', [{ field: 'foo', description: 'x' }]));
    expect(http.envelope.error).toEqual({ message: 'Unrecognized request argument supplied: foo', type: 'invalid_request_error', param: 'foo', code: 'unknown_parameter' });
  });
});

describe('domain field → REST param', () => {
  it.each([
    ['prompt', 'prompt'],
    ['size', 'size'],
    ['n', 'n'],
    ['seed', 'seed'],
    ['guidanceScale', 'guidance_scale'],
    ['imageSet', 'sequential_image_generation'],
    ['imageSet.maxImages', 'sequential_image_generation_options.max_images'],
    ['promptOptimization', 'optimize_prompt_options.mode'],
    ['outputFormat', 'output_format'],
    ['webSearch', 'tools'],
    ['modelId', 'model'],
    ['model', 'model'],
    ['responseFormat', 'response_format'],
    ['user', 'user'],
    ['watermark', 'watermark'],
    ['referenceImages', 'image'],
    ['referenceImages[3]', 'image[3]'],
    ['sequential_image_generation', 'sequential_image_generation'],
    ['constructor', 'constructor'],
  ])('%s → %s', (field, param) => {
    expect(restParamName(field, undefined)).toBe(param);
  });

  it('follows the caller\'s spelling of reference images', () => {
    expect(restParamName('referenceImages[3]', { name: 'image_input', single: false })).toBe('image_input[3]');
    expect(restParamName('referenceImages[0]', { name: 'image_input', single: true })).toBe('image_input');
    expect(restParamName('referenceImages', { name: 'image_input', single: true })).toBe('image_input');
    expect(restParamName('spec', undefined)).toBeNull();
  });
});
