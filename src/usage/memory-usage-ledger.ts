/**
 * The in-process UsageLedger: the embedded default, for one replica; rows live as long as the process
 * and are dropped after LEDGER_RETENTION_DAYS.
 */
import { dayOf, daysOf, LEDGER_RETENTION_DAYS, sortRecords, type UsageLedger, type UsageRecord } from './usage-ledger.js';

export function createMemoryUsageLedger(options: { readonly now?: () => number } = {}): UsageLedger {
  const now = options.now ?? Date.now;
  /** day → row key → row */
  const days = new Map<string, Map<string, UsageRecord>>();
  return {
    async record(deltas) {
      const day = dayOf(now());
      let rows = days.get(day);
      if (rows === undefined) {
        rows = new Map();
        days.set(day, rows);
        const oldest = dayOf(now() - LEDGER_RETENTION_DAYS * 86_400_000);
        for (const d of days.keys()) if (d < oldest) days.delete(d);
      }
      for (const delta of deltas) {
        const key = `${delta.caller}|${delta.model}|${delta.channel}`;
        const row = rows.get(key);
        rows.set(key, {
          day,
          caller: delta.caller,
          model: delta.model,
          channel: delta.channel,
          requests: (row?.requests ?? 0) + delta.requests,
          imagesDelivered: (row?.imagesDelivered ?? 0) + delta.imagesDelivered,
          imagesFailed: (row?.imagesFailed ?? 0) + delta.imagesFailed,
          costMicros: (row?.costMicros ?? 0) + delta.costMicros,
        });
      }
    },
    async read(query) {
      const out: UsageRecord[] = [];
      for (const day of daysOf(query.from, query.to) ?? []) {
        for (const row of days.get(day)?.values() ?? []) if (query.caller === undefined || row.caller === query.caller) out.push({ ...row });
      }
      return sortRecords(out);
    },
    async close() {},
  };
}
