import { describe, expect, it } from 'vitest';
import { errorReasons, GatewayError, invalidArgument, toGatewayError } from '../src/errors.js';

describe('GatewayError', () => {
  it('takes retryability from the reason table unless told otherwise', () => {
    expect(new GatewayError('RATE_LIMITED', 'slow down').retryable).toBe(true);
    expect(new GatewayError('QUOTA_EXCEEDED', 'quota').retryable).toBe(false);
    expect(new GatewayError('UPSTREAM_UNAVAILABLE', 'x', { retryable: false }).retryable).toBe(false);
  });

  it('keeps upstream details and the retry delay', () => {
    const error = new GatewayError('RATE_LIMITED', 'slow down', {
      retryAfterMs: 2000,
      upstream: { status: 429, code: 'ModelAccountIpmRateLimitExceeded', requestId: 'req-1' },
    });
    expect(error.retryAfterMs).toBe(2000);
    expect(error.upstream).toEqual({ status: 429, code: 'ModelAccountIpmRateLimitExceeded', requestId: 'req-1' });
  });

  it('invalidArgument names the first field and counts the rest', () => {
    const error = invalidArgument([
      { field: 'size', description: 'too small' },
      { field: 'referenceImages[3]', description: 'not an image' },
      { field: 'n', description: 'too many' },
    ]);
    expect(error.reason).toBe('INVALID_ARGUMENT');
    expect(error.field).toBe('size');
    expect(error.message).toBe('size: too small (and 2 more problems)');
    expect(error.violations).toHaveLength(3);
  });

  it('turns unknown throwables into INTERNAL with a fixed message, keeping the cause for the log', () => {
    const cause = new TypeError('secret detail at /srv/app.js:12');
    const error = toGatewayError(cause);
    expect(error.reason).toBe('INTERNAL');
    expect(error.message).toBe('internal error');
    expect(error.cause).toBe(cause);
    const known = new GatewayError('CANCELLED', 'gone');
    expect(toGatewayError(known)).toBe(known);
  });

  it('documents every reason with a meaning', () => {
    for (const [reason, meaning] of Object.entries(errorReasons)) {
      expect(meaning.meaning.length, reason).toBeGreaterThan(10);
    }
  });
});
