/**
 * A circuit breaker for one channel key (DESIGN §12): closed while calls succeed; open after
 * `failures` consecutive failures, so routing skips the key; after `cooldownMs` one half-open probe is
 * let through — its success closes the breaker, its failure opens it for another cool-down.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreaker {
  /** Whether a call may go to this key now; in half-open, true once (the probe) until it reports. */
  available(): boolean;
  /** Takes the slot `available()` promised (the half-open probe); call just before the attempt. */
  begin(): void;
  succeed(): void;
  fail(): void;
  /** The attempt ended without a verdict on the key (the caller cancelled, bad input): a probe may go again. */
  abandon(): void;
  readonly state: BreakerState;
  /** When an open breaker lets its probe through (epoch ms); undefined when not open. */
  readonly retryAt: number | undefined;
}

export function createCircuitBreaker(options: { readonly failures: number; readonly cooldownMs: number; readonly now?: () => number; readonly onChange?: (state: BreakerState) => void }): CircuitBreaker {
  const now = options.now ?? Date.now;
  let consecutive = 0;
  let openedAt: number | undefined;
  let probing = false;
  const set = (next: BreakerState, before: BreakerState) => {
    if (next !== before) options.onChange?.(next);
  };
  const state = (): BreakerState => {
    if (openedAt === undefined) return 'closed';
    return probing || now() >= openedAt + options.cooldownMs ? 'half-open' : 'open';
  };
  return {
    get state() {
      return state();
    },
    get retryAt() {
      return openedAt === undefined ? undefined : openedAt + options.cooldownMs;
    },
    available() {
      const s = state();
      return s === 'closed' || (s === 'half-open' && !probing);
    },
    begin() {
      if (state() === 'half-open') probing = true;
    },
    succeed() {
      const before = state();
      consecutive = 0;
      openedAt = undefined;
      probing = false;
      set('closed', before);
    },
    abandon() {
      probing = false;
    },
    fail() {
      const before = state();
      consecutive += 1;
      if (before === 'half-open' || consecutive >= options.failures) {
        openedAt = now();
        probing = false;
        set('open', before);
      }
    },
  };
}
