/**
 * The UsageLedger seam (DESIGN §7, §12): per caller key × model × channel × UTC day, the requests,
 * images delivered and failed, and estimated cost. Written once per call when it ends, read by
 * operators (every caller) and by callers (their own), through REST and gRPC. Two engines pass the same
 * tests: in process (createMemoryUsageLedger) and Redis (createRedisUsageLedger).
 */

/** What one call adds to one ledger row. */
export interface UsageDelta {
  readonly caller: string;
  /** Catalog model key (`seedream_4_5`). */
  readonly model: string;
  /** The channel that served; `none` when the call ended before any channel was reached. */
  readonly channel: string;
  readonly requests: number;
  readonly imagesDelivered: number;
  readonly imagesFailed: number;
  /** Estimated cost in micros of the gateway's pricing currency. */
  readonly costMicros: number;
}

/** One row of the ledger. */
export interface UsageRecord extends UsageDelta {
  /** UTC day, `YYYY-MM-DD`. */
  readonly day: string;
}

export interface UsageQuery {
  /** Only this caller's rows; undefined = every caller (operators only). */
  readonly caller?: string;
  /** First and last UTC day, inclusive (`YYYY-MM-DD`). */
  readonly from: string;
  readonly to: string;
}

export interface UsageLedger {
  /** Adds `deltas` to today's rows (the engine's clock decides "today"). */
  record(deltas: readonly UsageDelta[]): Promise<void>;
  /** Rows of the query's days, ordered by day, caller, model, channel. */
  read(query: UsageQuery): Promise<UsageRecord[]>;
  close(): Promise<void>;
}

/** Longest range one read may cover, so a read stays cheap. */
export const MAX_QUERY_DAYS = 366;

/** How long rows are kept (the Redis engine's TTL): a year and a bit, for yearly reviews. */
export const LEDGER_RETENTION_DAYS = 400;

/** The days from `from` to `to` inclusive, or undefined when either is not a date or the range is too long. */
export function daysOf(from: string, to: string): string[] | undefined {
  const start = parseDay(from);
  const end = parseDay(to);
  if (start === undefined || end === undefined || end < start) return undefined;
  const count = (end - start) / 86_400_000 + 1;
  if (count > MAX_QUERY_DAYS) return undefined;
  return Array.from({ length: count }, (_, i) => dayOf(start + i * 86_400_000));
}

export function dayOf(epochMs: number): string {
  // Every call asks for today: the last day's text is kept with its bounds (a Date and an ISO string
  // per call were ~5 µs of a URL-mode call, issue 15 profile).
  if (epochMs >= lastDay.start && epochMs < lastDay.start + DAY_MS) return lastDay.text;
  const start = epochMs - (((epochMs % DAY_MS) + DAY_MS) % DAY_MS);
  const text = new Date(epochMs).toISOString().slice(0, 10);
  if (!Number.isNaN(start)) lastDay = { start, text };
  return text;
}

const DAY_MS = 86_400_000;
let lastDay: { readonly start: number; readonly text: string } = { start: Number.NaN, text: '' };

function parseDay(day: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || dayOf(ms) !== day ? undefined : ms;
}

/** Orders rows as `read` promises. */
export function sortRecords(records: UsageRecord[]): UsageRecord[] {
  const key = (r: UsageRecord) => `${r.day}\u0000${r.caller}\u0000${r.model}\u0000${r.channel}`;
  return records.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
