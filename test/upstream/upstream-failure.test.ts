import { describe, expect, it } from 'vitest';
import { networkErrorCode } from '../../src/upstream/network-errors.js';
import { parseRetryAfter } from '../../src/upstream/retry-after.js';
import { domainFieldFromArkParam } from '../../src/upstream/ark/param-fields.js';
import { cleanUpstreamMessage, failureFromEnvelope, failureFromResponse } from '../../src/upstream/upstream-failure.js';

describe('Retry-After', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it.each<[string | undefined, string | undefined, number | undefined]>([
    ['7', undefined, 7000],
    ['0', undefined, 0],
    ['1.5', undefined, 1500],
    ['Thu, 01 Jan 2026 12:00:30 GMT', undefined, 30_000],
    ['Thu, 01 Jan 2026 11:00:00 GMT', undefined, 0],
    ['Fri, 02 Jan 2026 12:00:00 GMT', undefined, 60_000],
    ['86400', undefined, 60_000],
    ['-3', undefined, undefined],
    ['soon', undefined, undefined],
    ['', undefined, undefined],
    [undefined, '250', 250],
    ['9', '250', 250],
    [undefined, undefined, undefined],
  ])('Retry-After %j, retry-after-ms %j → %j ms', (header, msHeader, expected) => {
    expect(parseRetryAfter(header, msHeader, now)).toBe(expected);
  });
});

describe('upstream messages', () => {
  it.each([
    ['Bad size. Request id: 0217573232240000', 'Bad size.'],
    ['missing or invalid. request id: abc-123', 'missing or invalid.'],
    ['Missing parameters. Request ID: {id}', 'Missing parameters.'],
    ['line one\nline two\u0000', 'line one line two'],
    ['see https://u:p@h.example/x', 'see https://h.example/x'],
    ['Authorization: Bearer sk-abc.def', 'Authorization: Bearer [redacted]'],
  ])('%j → %j', (input, output) => {
    expect(cleanUpstreamMessage(input)).toBe(output);
  });

  it('bounds the length', () => {
    expect(cleanUpstreamMessage('x'.repeat(5000)).length).toBe(500);
  });

  it('reads the envelope, the request id from the message and from the header', () => {
    expect(failureFromEnvelope({ error: { code: 'X', message: 'm. Request id: r1', param: '', type: 'BadRequest' } })).toEqual({
      code: 'X',
      message: 'm.',
      param: undefined,
      type: 'BadRequest',
      requestId: 'r1',
    });
    expect(failureFromEnvelope({ error: 'boom' })).toBeUndefined();
    expect(failureFromEnvelope({ error: {} })).toBeUndefined();
    expect(failureFromEnvelope(null)).toBeUndefined();
    const failure = failureFromResponse(429, { 'x-request-id': 'h1', 'retry-after': '3' }, '{"error":{"code":"Q","message":"q"}}');
    expect(failure).toMatchObject({ status: 429, code: 'Q', requestId: 'h1', retryAfterMs: 3000 });
  });
});

describe('Ark param → domain field', () => {
  it.each([
    ['image[0]', 'referenceImages[0]'],
    ['image.12', 'referenceImages[12]'],
    ['tools[0].type', 'webSearch'],
    ['sequential_image_generation_options', 'imageSet'],
    ['optimize_prompt_options.thinking', 'promptOptimization'],
    ['stream', 'stream'],
    ['something_new', 'something_new'],
  ])('%s → %s', (param, field) => {
    expect(domainFieldFromArkParam(param)).toBe(field);
  });
});

describe('network error codes', () => {
  it('finds the code down the cause chain and inside AggregateErrors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new Error('fetch failed', { cause: refused }))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new AggregateError([new Error('x'), refused]))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new Error('plain'))).toBeUndefined();
    const cyclic: { code?: string; cause?: unknown } = {};
    cyclic.cause = cyclic;
    expect(networkErrorCode(cyclic)).toBeUndefined();
  });
});
