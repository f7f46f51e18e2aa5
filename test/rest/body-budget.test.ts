import { describe, expect, it } from 'vitest';
import { bodyBudgetExceeded, createBodyBudget } from '../../src/rest/body-budget.js';

describe('the in-flight body budget', () => {
  it('reserves while bytes fit, refuses without reserving when they do not, and frees on release', () => {
    const budget = createBodyBudget(100);
    const first = budget.tryReserve(60);
    expect(first?.bytes).toBe(60);
    expect(budget.tryReserve(41)).toBeUndefined();
    expect(budget.inUseBytes).toBe(60);
    const second = budget.tryReserve(40);
    expect(budget.inUseBytes).toBe(100);
    first?.release();
    first?.release(); // idempotent: hooked to every way a call ends
    expect(budget.inUseBytes).toBe(40);
    second?.release();
    expect(budget.inUseBytes).toBe(0);
  });

  it('grows a reservation chunk by chunk while it fits, and not after release', () => {
    const budget = createBodyBudget(10);
    const chunked = budget.tryReserve(0);
    expect(chunked?.grow(6)).toBe(true);
    expect(chunked?.grow(5)).toBe(false);
    expect(chunked?.bytes).toBe(6);
    chunked?.release();
    expect(chunked?.grow(1)).toBe(false);
    expect(budget.inUseBytes).toBe(0);
  });

  it('refuses as a retryable PAYLOAD_TOO_LARGE naming the setting', () => {
    const error = bodyBudgetExceeded(createBodyBudget(100), 250);
    expect(error).toMatchObject({ reason: 'PAYLOAD_TOO_LARGE', retryable: true });
    expect(error.message).toContain('REQUEST_BODY_BUDGET_BYTES 100');
  });
});
