/**
 * The LimitStore seam (DESIGN §7, §12; reference gateway-patterns §4.1): all-or-nothing reservation of
 * several counters at once — a caller's requests and images per minute, its daily and monthly spend, a
 * channel's images per minute — and a refund of what was not used once the outcome is known. Two
 * engines pass the same tests: in process (createMemoryLimitStore) and Redis (createRedisLimitStore),
 * where each reserve and each refund is one atomic script on the Redis server's clock.
 */

/** How a counter's window is measured. */
export type LimitWindow =
  /** The last `ms` milliseconds, exactly: a limit of N per minute holds over any minute, not just
   *  over clock-aligned ones (a sliding log of reservations). */
  | { readonly kind: 'sliding'; readonly ms: number }
  /** The current UTC day or calendar month (budgets reset at its start). */
  | { readonly kind: 'day' }
  | { readonly kind: 'month' };

/** One counter to charge: `amount` more, as long as the window's total stays at most `limit`. */
export interface LimitCharge {
  /** The counter's name, e.g. `caller:alice:images`; engines add their own prefix. */
  readonly key: string;
  readonly amount: number;
  readonly limit: number;
  readonly window: LimitWindow;
}

/** A successful reservation: what to hand back to `refund`. */
export interface Reservation {
  readonly id: string;
  readonly charges: readonly LimitCharge[];
  /** The engine's own name of each charged counter (calendar counters carry their window). */
  readonly slots: readonly string[];
}

export type ReserveResult =
  | { readonly ok: true; readonly reservation: Reservation }
  /** `charge` is the first charge that did not fit; `retryAfterMs` when it would (-1: never, it exceeds the limit). */
  | { readonly ok: false; readonly charge: LimitCharge; readonly retryAfterMs: number };

export interface LimitStore {
  /** Reserves every charge or none. An empty list always succeeds. */
  reserve(charges: readonly LimitCharge[]): Promise<ReserveResult>;
  /** Gives back `amounts[i]` of `reservation.charges[i]` (0 = keep all of it). Refunding into an
   *  expired window is a no-op. */
  refund(reservation: Reservation, amounts: readonly number[]): Promise<void>;
  close(): Promise<void>;
}

const DAY_MS = 86_400_000;

/** Start and end (ms) of the UTC day or month containing `now`, and its id (`20260131`, `202601`). */
export function calendarWindow(kind: 'day' | 'month', now: number): { readonly id: string; readonly endsAt: number } {
  const date = new Date(now);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  if (kind === 'day') {
    const start = Math.floor(now / DAY_MS) * DAY_MS;
    return { id: `${y}${pad(m + 1)}${pad(date.getUTCDate())}`, endsAt: start + DAY_MS };
  }
  return { id: `${y}${pad(m + 1)}`, endsAt: Date.UTC(y, m + 1, 1) };
}

const pad = (n: number) => String(n).padStart(2, '0');
