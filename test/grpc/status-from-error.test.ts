import { Status } from 'nice-grpc-common';
import { BadRequest, ErrorInfo, RetryInfo } from 'nice-grpc-error-details';
import { describe, expect, it } from 'vitest';
import { errorReasons, GatewayError, invalidArgument, type ErrorReason } from '../../src/errors.js';
import { createRedactor, modelKeyOfRequest } from '../../src/grpc/error-middleware.js';
import { serverErrorFromGatewayError, statusFromReason } from '../../src/grpc/status-from-error.js';

describe('statusFromReason', () => {
  it.each(Object.keys(errorReasons) as ErrorReason[])('gives %s a canonical code other than UNKNOWN and OK', (reason) => {
    const code = statusFromReason(reason);
    expect(code).not.toBe(Status.UNKNOWN);
    expect(code).not.toBe(Status.OK);
  });

  it('keeps upstream credential failures away from the caller UNAUTHENTICATED', () => {
    expect(statusFromReason('UPSTREAM_AUTH_FAILED')).toBe(Status.INTERNAL);
    expect(statusFromReason('UNAUTHENTICATED')).toBe(Status.UNAUTHENTICATED);
  });
});

describe('serverErrorFromGatewayError', () => {
  it('renames domain fields to proto paths of the model the request used, in details and message', () => {
    const error = invalidArgument([
      { field: 'imageSet.maxImages', description: 'too many' },
      { field: 'referenceImages[3]', description: 'not an image' },
      { field: 'prompt', description: 'required' },
    ]);
    const status = serverErrorFromGatewayError(error, 'seedream_5_0_lite');
    expect(status.code).toBe(Status.INVALID_ARGUMENT);
    expect(status.details).toBe('spec.seedream_5_0_lite.image_set.max_images: too many (and 2 more problems)');
    const badRequest = status.extra.find((d): d is BadRequest => d.$type === BadRequest.$type);
    expect(badRequest?.fieldViolations.map((v) => v.field)).toEqual([
      'spec.seedream_5_0_lite.image_set.max_images',
      'spec.reference_images[3]',
      'spec.prompt',
    ]);
  });

  it('adds RetryInfo only to retryable errors, with the upstream delay when known', () => {
    const limited = serverErrorFromGatewayError(new GatewayError('RATE_LIMITED', 'slow down', { retryAfterMs: 12_345 }), undefined);
    expect(limited.extra.find((d): d is RetryInfo => d.$type === RetryInfo.$type)?.retryDelay).toMatchObject({ seconds: 12, nanos: 345_000_000 });
    const quota = serverErrorFromGatewayError(new GatewayError('QUOTA_EXCEEDED', 'no money'), undefined);
    expect(quota.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(quota.extra.some((d) => d.$type === RetryInfo.$type)).toBe(false);
  });

  it('keeps upstream facts in ErrorInfo metadata, but hides the message of internal errors', () => {
    const status = serverErrorFromGatewayError(
      new GatewayError('INTERNAL', 'null pointer in merge.ts', { upstream: { requestId: 'r-1' } }),
      undefined,
    );
    expect(status.details).toBe('internal error');
    expect(status.extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type)).toMatchObject({ reason: 'INTERNAL', metadata: {} });
  });
});

describe('createRedactor', () => {
  it('removes secrets, keeps the first line only and bounds the length', () => {
    const redact = createRedactor(['sk-0123456789', 'short']);
    expect(redact('key sk-0123456789 refused\n    at x (y.js:1:1)')).toBe('key [redacted] refused');
    expect(redact('a short word')).toBe('a short word');
    expect(redact('x'.repeat(5000))).toHaveLength(1024);
  });
});

describe('modelKeyOfRequest', () => {
  it('reads the oneof member of a generation request, and nothing else', () => {
    expect(modelKeyOfRequest({ spec: { model: { $case: 'seedream50Lite', value: {} } } })).toBe('seedream_5_0_lite');
    expect(modelKeyOfRequest({ spec: { model: undefined } })).toBeUndefined();
    expect(modelKeyOfRequest({ spec: { model: { $case: 'toString' } } })).toBeUndefined();
    expect(modelKeyOfRequest({})).toBeUndefined();
    expect(modelKeyOfRequest(undefined)).toBeUndefined();
  });
});
