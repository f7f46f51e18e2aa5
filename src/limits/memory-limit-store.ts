/**
 * The in-process LimitStore: the embedded default, for one replica. Same semantics as the Redis engine
 * (sliding logs for per-minute limits, calendar counters for budgets, all-or-nothing reserve), on this
 * process's clock. Old entries are dropped as windows pass, so memory follows the traffic of one window.
 */
import { randomUUID } from 'node:crypto';
import { calendarWindow, type LimitCharge, type LimitStore, type Reservation, type ReserveResult } from './limit-store.js';

interface LogEntry {
  readonly id: string;
  readonly at: number;
  amount: number;
}

export function createMemoryLimitStore(options: { readonly now?: () => number } = {}): LimitStore {
  const now = options.now ?? Date.now;
  const logs = new Map<string, LogEntry[]>();
  const counters = new Map<string, { value: number; endsAt: number }>();

  /** The sliding log of `key` without entries older than the window. */
  const liveLog = (key: string, windowMs: number, t: number): LogEntry[] => {
    const log = (logs.get(key) ?? []).filter((e) => e.at > t - windowMs && e.amount > 0);
    if (log.length === 0) logs.delete(key);
    else logs.set(key, log);
    return log;
  };

  /** How much is used, where the charge would go, and when it fits if it does not now. */
  function check(charge: LimitCharge, t: number): { slot: string; fits: boolean; retryAfterMs: number } {
    if (charge.window.kind === 'sliding') {
      const windowMs = charge.window.ms;
      const log = liveLog(charge.key, windowMs, t);
      let used = log.reduce((sum, e) => sum + e.amount, 0);
      if (used + charge.amount <= charge.limit) return { slot: charge.key, fits: true, retryAfterMs: 0 };
      if (charge.amount > charge.limit) return { slot: charge.key, fits: false, retryAfterMs: -1 };
      // Oldest first: the charge fits once enough of them have left the window.
      for (const entry of log) {
        used -= entry.amount;
        if (used + charge.amount <= charge.limit) return { slot: charge.key, fits: false, retryAfterMs: Math.max(1, entry.at + windowMs - t) };
      }
      return { slot: charge.key, fits: false, retryAfterMs: windowMs };
    }
    const window = calendarWindow(charge.window.kind, t);
    const slot = `${charge.key}:${window.id}`;
    const counter = counters.get(slot);
    const used = counter !== undefined && counter.endsAt > t ? counter.value : 0;
    if (used + charge.amount <= charge.limit) return { slot, fits: true, retryAfterMs: 0 };
    return { slot, fits: false, retryAfterMs: charge.amount > charge.limit ? -1 : window.endsAt - t };
  }

  return {
    async reserve(charges): Promise<ReserveResult> {
      const t = now();
      const slots: string[] = [];
      for (const charge of charges) {
        const result = check(charge, t);
        if (!result.fits) return { ok: false, charge, retryAfterMs: result.retryAfterMs };
        slots.push(result.slot);
      }
      const id = randomUUID();
      charges.forEach((charge, i) => {
        const slot = slots[i] as string;
        if (charge.window.kind === 'sliding') {
          const log = logs.get(slot) ?? [];
          log.push({ id, at: t, amount: charge.amount });
          logs.set(slot, log);
          return;
        }
        const endsAt = calendarWindow(charge.window.kind, t).endsAt;
        const counter = counters.get(slot);
        counters.set(slot, { value: (counter !== undefined && counter.endsAt > t ? counter.value : 0) + charge.amount, endsAt });
      });
      // Counters of past windows are dropped here, so a long-running process does not keep every day.
      for (const [slot, counter] of counters) if (counter.endsAt <= t) counters.delete(slot);
      return { ok: true, reservation: { id, charges, slots } };
    },
    async refund(reservation: Reservation, amounts) {
      reservation.charges.forEach((charge, i) => {
        const back = Math.min(amounts[i] ?? 0, charge.amount);
        const slot = reservation.slots[i];
        if (back <= 0 || slot === undefined) return;
        if (charge.window.kind === 'sliding') {
          const entry = logs.get(slot)?.find((e) => e.id === reservation.id);
          if (entry !== undefined) entry.amount = Math.max(0, entry.amount - back);
          return;
        }
        const counter = counters.get(slot);
        if (counter !== undefined) counter.value = Math.max(0, counter.value - back);
      });
    },
    async close() {},
  };
}
