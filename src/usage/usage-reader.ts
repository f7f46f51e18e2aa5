/**
 * Reading the usage ledger, shared by the REST and gRPC edges (DESIGN §12): who may read what, and the
 * checks on the query. Callers read their own rows; keys with the admin role (and the open-mode caller,
 * which is the operator on a local gateway) read any caller's, or every caller's. Days are UTC; the
 * default range is today.
 */
import { GatewayError, invalidArgument, type FieldViolation } from '../errors.js';
import type { Caller } from '../service/types.js';
import { dayOf, daysOf, MAX_QUERY_DAYS, type UsageLedger, type UsageRecord } from './usage-ledger.js';

/** A usage query as the edges receive it; empty strings count as unset. */
export interface UsageRequest {
  /** Whose rows; unset = the caller's own (or, for admins, every caller's). */
  readonly caller?: string;
  /** First UTC day `YYYY-MM-DD`; unset = `to`. */
  readonly from?: string;
  /** Last UTC day; unset = today. */
  readonly to?: string;
}

export interface UsageReport {
  readonly currency: string;
  readonly from: string;
  readonly to: string;
  readonly rows: readonly UsageRecord[];
}

export interface UsageReader {
  read(caller: Caller, request: UsageRequest): Promise<UsageReport>;
}

export function createUsageReader(deps: { readonly ledger: UsageLedger; readonly currency: string; readonly now?: () => number }): UsageReader {
  const now = deps.now ?? Date.now;
  return {
    async read(caller, request) {
      const to = nonEmpty(request.to) ?? dayOf(now());
      const from = nonEmpty(request.from) ?? to;
      const wanted = nonEmpty(request.caller);
      const violations: FieldViolation[] = [];
      const dayPattern = /^\d{4}-\d{2}-\d{2}$/;
      if (!dayPattern.test(from) || daysOf(from, from) === undefined) violations.push({ field: 'from', description: 'must be a UTC day YYYY-MM-DD' });
      if (!dayPattern.test(to) || daysOf(to, to) === undefined) violations.push({ field: 'to', description: 'must be a UTC day YYYY-MM-DD' });
      if (violations.length === 0 && daysOf(from, to) === undefined) {
        violations.push({ field: 'from', description: `must be on or before "to", at most ${MAX_QUERY_DAYS} days earlier` });
      }
      if (wanted !== undefined && wanted !== caller.keyName && caller.admin !== true) {
        violations.push({ field: 'caller', description: "only keys with the admin role may read other callers' usage; leave it empty for your own" });
      }
      if (violations.length > 0) throw invalidArgument(violations);
      if (wanted === undefined && caller.admin !== true) return report(caller.keyName);
      return report(wanted);

      async function report(who: string | undefined): Promise<UsageReport> {
        const rows = await deps.ledger.read({ from, to, ...(who !== undefined && { caller: who }) }).catch((error: unknown) => {
          throw new GatewayError('UPSTREAM_UNAVAILABLE', 'the usage ledger cannot be read right now; retry shortly', { cause: error });
        });
        return { currency: deps.currency, from, to, rows };
      }
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
