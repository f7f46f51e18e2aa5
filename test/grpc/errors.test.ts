import { Status } from 'nice-grpc';
import { BadRequest, ErrorInfo, RetryInfo, type ErrorDetails, type RichClientError } from 'nice-grpc-error-details';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SizeTier } from '../../gen/seedream/v1/types.js';
import { errorReasons, GatewayError, type ErrorReason } from '../../src/errors.js';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { scriptedUpstream } from '../helpers/scripted-upstream.js';

const expectedStatus: Record<ErrorReason, Status> = {
  INVALID_ARGUMENT: Status.INVALID_ARGUMENT,
  MODEL_NOT_FOUND: Status.NOT_FOUND,
  UNAUTHENTICATED: Status.UNAUTHENTICATED,
  PAYLOAD_TOO_LARGE: Status.RESOURCE_EXHAUSTED,
  RATE_LIMITED: Status.RESOURCE_EXHAUSTED,
  QUOTA_EXCEEDED: Status.RESOURCE_EXHAUSTED,
  CONCURRENCY_LIMITED: Status.RESOURCE_EXHAUSTED,
  CONTENT_REJECTED: Status.FAILED_PRECONDITION,
  UPSTREAM_AUTH_FAILED: Status.INTERNAL,
  UPSTREAM_UNAVAILABLE: Status.UNAVAILABLE,
  UPSTREAM_BAD_RESPONSE: Status.INTERNAL,
  DEADLINE_EXCEEDED: Status.DEADLINE_EXCEEDED,
  CANCELLED: Status.CANCELLED,
  SHUTTING_DOWN: Status.UNAVAILABLE,
  IDEMPOTENCY_CONFLICT: Status.ALREADY_EXISTS,
  JOB_NOT_FOUND: Status.NOT_FOUND,
  INTERNAL: Status.INTERNAL,
};

const SECRET = 'sk-upstream-secret-0123456789';

function detail<T extends ErrorDetails>(error: RichClientError, type: { $type: T['$type'] }): T | undefined {
  return error.extra.find((d): d is T => d.$type === type.$type);
}

describe('gRPC error mapping', () => {
  let gw: TestGrpcApp;
  // Each call's upstream attempt throws whatever the test put here.
  let next: () => unknown = () => new Error('not set');
  beforeAll(async () => {
    const upstream = scriptedUpstream(async function* () {
      throw next();
    });
    gw = await startGrpcApp({
      upstream,
      // A real upstream kind, so the upstream key is known to the gateway and must never leak.
      env: { UPSTREAM_KIND: 'ark', ARK_API_KEY: SECRET, GATEWAY_ALLOW_OPEN: 'true', RETRY_MAX_ATTEMPTS: '1' },
    });
  });
  afterAll(() => gw.close());

  const fail = (thrown: unknown) => {
    next = () => thrown;
    return richError(() => gw.client.generateImages({ spec: testSpec() }));
  };

  it.each(Object.keys(errorReasons) as ErrorReason[])('maps %s to its canonical status with ErrorInfo, never UNKNOWN', async (reason) => {
    const error = await fail(
      new GatewayError(reason, `${reason.toLowerCase()} happened`, {
        upstream: { status: 503, code: 'UpstreamCode', requestId: 'req-42' },
        ...(reason === 'RATE_LIMITED' && { retryAfterMs: 2500 }),
      }),
    );
    expect(error.code).toBe(expectedStatus[reason]);
    expect(error.code).not.toBe(Status.UNKNOWN);
    const info = detail<ErrorInfo>(error, ErrorInfo);
    expect(info).toMatchObject({ reason, domain: 'seedream-gateway' });
    if (reason !== 'INTERNAL') {
      expect(info?.metadata).toEqual({ upstream_code: 'UpstreamCode', upstream_request_id: 'req-42', upstream_status: '503' });
    }
    const retry = detail<RetryInfo>(error, RetryInfo);
    expect(retry !== undefined).toBe(errorReasons[reason].retryable);
    if (reason === 'RATE_LIMITED') expect(retry?.retryDelay).toMatchObject({ seconds: 2, nanos: 500_000_000 });
    if (reason === 'UPSTREAM_UNAVAILABLE') expect(retry?.retryDelay).toMatchObject({ seconds: 1, nanos: 0 });
    if (reason === 'INTERNAL') expect(error.details).toBe('internal error');
    if (reason === 'UPSTREAM_AUTH_FAILED') expect(error.details).toMatch(/contact the gateway operator/);
  });

  it('names invalid fields by their proto path in BadRequest and in the message', async () => {
    const error = await richError(() =>
      gw.client.generateImages({
        spec: testSpec({
          n: 99,
          model: { $case: 'seedream45', value: { modelId: '', size: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_1K } }, imageSet: { maxImages: 16 } } },
        }),
      }),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    const fields = detail<BadRequest>(error, BadRequest)?.fieldViolations.map((v) => v.field);
    expect(fields).toEqual(expect.arrayContaining(['spec.n', 'spec.seedream_4_5.size', 'spec.seedream_4_5.image_set.max_images']));
    expect(error.details).toMatch(/^spec\.(n|seedream_4_5\.)/);
    expect(detail<ErrorInfo>(error, ErrorInfo)?.reason).toBe('INVALID_ARGUMENT');
    expect(detail<RetryInfo>(error, RetryInfo)).toBeUndefined();
  });

  it('reports a missing model member as spec.model', async () => {
    const error = await richError(() => gw.client.streamImages({ spec: testSpec({ model: undefined }) })[Symbol.asyncIterator]().next());
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(detail<BadRequest>(error, BadRequest)?.fieldViolations[0]?.field).toBe('spec.model');
  });

  it('turns an unknown throwable into INTERNAL "internal error" and logs its cause', async () => {
    const error = await fail(new TypeError(`cannot read x of undefined (key ${SECRET})`));
    expect(error.code).toBe(Status.INTERNAL);
    expect(error.details).toBe('internal error');
    expect(detail<ErrorInfo>(error, ErrorInfo)?.reason).toBe('INTERNAL');
    const logged = gw.logs.findLast((l) => l.msg === 'internal error');
    expect(JSON.stringify(logged)).toContain('cannot read x of undefined');
  });

  it('leaks no stack trace and no upstream key in any status message or detail', async () => {
    const stackish = `connect to https://user:${SECRET}@ark.example/api failed\n    at connect (node:net:1:1)\n    at Socket.emit`;
    const errors = [
      await fail(new Error(stackish)),
      await fail(new GatewayError('UPSTREAM_AUTH_FAILED', `The API key ${SECRET} is invalid`, { upstream: { status: 401, code: 'AuthenticationError' } })),
      await fail(new GatewayError('UPSTREAM_UNAVAILABLE', stackish, { upstream: { code: `code-${SECRET}` } })),
      await fail(new GatewayError('INVALID_ARGUMENT', `size: bad ${SECRET}`, { violations: [{ field: 'size', description: `bad ${SECRET}\n    at x` }] })),
    ];
    for (const error of errors) {
      const wire = `${error.details} ${JSON.stringify(error.extra)}`;
      expect(wire).not.toContain(SECRET);
      expect(wire).not.toMatch(/\n\s+at /);
      expect(wire).not.toContain('node:net');
    }
    expect(errors[2]?.details).toBe('connect to https://user:[redacted]@ark.example/api failed');
  });
});

describe('gRPC message limits', () => {
  it('answers a request above GRPC_MAX_RECEIVE_MESSAGE_BYTES with RESOURCE_EXHAUSTED', async () => {
    const gw = await startGrpcApp({ env: { GRPC_MAX_RECEIVE_MESSAGE_BYTES: String(64 * 1024) } });
    try {
      const big = { source: { $case: 'data' as const, value: Buffer.alloc(80 * 1024, 1) }, mimeType: 'image/png' };
      const error = await richError(() => gw.client.generateImages({ spec: testSpec({ referenceImages: [big] }) }));
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      // Just under the limit the message is read, and the core judges the (bogus) image instead.
      const small = { ...big, source: { $case: 'data' as const, value: Buffer.alloc(32 * 1024, 1) } };
      const invalid = await richError(() => gw.client.generateImages({ spec: testSpec({ referenceImages: [small] }) }));
      expect(invalid.code).toBe(Status.INVALID_ARGUMENT);
    } finally {
      await gw.close();
    }
  });

  it('accepts 14 reference images at the default size limit', async () => {
    const gw = await startGrpcApp({ env: { MAX_REFERENCE_IMAGE_BYTES: '1000000' } });
    try {
      const image = { source: { $case: 'data' as const, value: Buffer.alloc(1_000_000, 1) }, mimeType: 'image/png' };
      const error = await richError(() => gw.client.generateImages({ spec: testSpec({ referenceImages: Array.from({ length: 14 }, () => image) }) }));
      // Read in full (no RESOURCE_EXHAUSTED); rejected only because the bytes are not a PNG.
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      expect(detail<BadRequest>(error, BadRequest)?.fieldViolations[0]?.field).toMatch(/^spec\.reference_images\[\d+\]$/);
    } finally {
      await gw.close();
    }
  });
});
