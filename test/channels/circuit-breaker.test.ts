import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../src/channels/circuit-breaker.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one probe through after the cool-down, and closes on its success', () => {
    let now = 0;
    const changes: string[] = [];
    const breaker = createCircuitBreaker({ failures: 2, cooldownMs: 1000, now: () => now, onChange: (s) => changes.push(s) });
    breaker.fail();
    breaker.succeed();
    breaker.fail();
    expect(breaker.state).toBe('closed'); // not consecutive
    breaker.fail();
    expect(breaker.state).toBe('open');
    expect(breaker.available()).toBe(false);
    now = 1000;
    expect(breaker.available()).toBe(true);
    breaker.begin();
    expect(breaker.available()).toBe(false); // one probe at a time
    breaker.succeed();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual(['open', 'closed']);
  });

  it('reopens for another cool-down when the probe fails, and frees the probe when it is abandoned', () => {
    let now = 0;
    const breaker = createCircuitBreaker({ failures: 1, cooldownMs: 1000, now: () => now });
    breaker.fail();
    now = 1500;
    breaker.begin();
    breaker.fail();
    expect(breaker.state).toBe('open');
    expect(breaker.retryAt).toBe(2500);
    now = 2500;
    breaker.begin();
    breaker.abandon();
    expect(breaker.available()).toBe(true);
  });
});
