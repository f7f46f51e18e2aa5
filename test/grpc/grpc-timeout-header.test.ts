import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, timeoutMsOf } from '../../src/grpc/grpc-timeout-header.js';

describe('grpc-timeout as the gateway reads it', () => {
  it.each([
    ['1S', 1000],
    ['250m', 250],
    ['2M', 120_000],
    ['1H', 3_600_000],
    ['1500u', 2],
    ['100n', 1],
    ['0m', 0],
    ['99999999H', MAX_TIMER_MS],
    ['2147484S', MAX_TIMER_MS],
  ])('%s → %d ms (clamped to what a timer holds)', (value, ms) => {
    expect(timeoutMsOf(value)).toBe(ms);
  });

  it.each(['abc', '', '123456789S', '5', 'S', '-1S', '1.5S', '10s'])('%j is not a gRPC timeout', (value) => {
    expect(timeoutMsOf(value)).toBeUndefined();
  });
});
