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

/** A sliding log: entries oldest first from `head`, their running total, and an index for refunds. */
interface SlidingLog {
  readonly entries: LogEntry[];
  head: number;
  sum: number;
  readonly byId: Map<string, LogEntry>;
}

export function createMemoryLimitStore(options: { readonly now?: () => number } = {}): LimitStore {
  const now = options.now ?? Date.now;
  const logs = new Map<string, SlidingLog>();
  const counters = new Map<string, { value: number; endsAt: number }>();

  /** The sliding log of `key`, its entries older than the window dropped (amortised O(1) each). */
  const liveLog = (key: string, windowMs: number, t: number): SlidingLog => {
    let log = logs.get(key);
    if (log === undefined) {
      log = { entries: [], head: 0, sum: 0, byId: new Map() };
      logs.set(key, log);
    }
    while (log.head < log.entries.length && (log.entries[log.head] as LogEntry).at <= t - windowMs) {
      const gone = log.entries[log.head] as LogEntry;
      log.sum -= gone.amount;
      log.byId.delete(gone.id);
      log.head += 1;
    }
    if (log.head > 1024 && log.head * 2 > log.entries.length) {
      log.entries.splice(0, log.head);
      log.head = 0;
    }
    return log;
  };

  /** How much is used, where the charge would go, and when it fits if it does not now. */
  function check(charge: LimitCharge, t: number): { slot: string; fits: boolean; retryAfterMs: number } {
    if (charge.window.kind === 'sliding') {
      const windowMs = charge.window.ms;
      const log = liveLog(charge.key, windowMs, t);
      let used = log.sum;
      if (used + charge.amount <= charge.limit) return { slot: charge.key, fits: true, retryAfterMs: 0 };
      if (charge.amount > charge.limit) return { slot: charge.key, fits: false, retryAfterMs: -1 };
      // Oldest first: the charge fits once enough of them have left the window.
      for (let i = log.head; i < log.entries.length; i += 1) {
        const entry = log.entries[i] as LogEntry;
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
          const log = liveLog(slot, charge.window.ms, t);
          const entry = { id, at: t, amount: charge.amount };
          log.entries.push(entry);
          log.byId.set(id, entry);
          log.sum += charge.amount;
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
          // Gone from the index = already out of the window: nothing left to give back.
          const log = logs.get(slot);
          const entry = log?.byId.get(reservation.id);
          if (log === undefined || entry === undefined) return;
          const given = Math.min(back, entry.amount);
          entry.amount -= given;
          log.sum -= given;
          return;
        }
        const counter = counters.get(slot);
        if (counter !== undefined) counter.value = Math.max(0, counter.value - back);
      });
    },
    async close() {},
  };
}
