/**
 * The embedded `JobStore`: plain maps in this process (DESIGN §7's default). Jobs live as long as the
 * process — the gateway says so at boot — and expire after the retention like Redis keys do: checked on
 * every read and swept by a timer so memory stays bounded.
 */
import { isTerminalStateEvent, stateEventData, stateEventType } from './job-events.js';
import type { JobStore, JobStoreOptions } from './job-store.js';
import { newJobRecord } from './new-job-record.js';
import { isTerminal, interruptedJobError, type JobEvent, type JobRecord, type JsonObject } from './job-types.js';
import { afterIdFromPageToken, effectivePageSize, pageTokenFor } from './page-token.js';

export interface MemoryJobStoreOptions extends JobStoreOptions {
  /** How often expired jobs are dropped (ms). */
  readonly sweepIntervalMs?: number;
  /** Injected clock (epoch ms) for tests. */
  readonly now?: () => number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Entry {
  record: Mutable<JobRecord>;
  readonly events: JobEvent[];
  leaseOwner: string;
  leaseExpiresAt: number;
  expiresAt: number;
  /** Wakes watchers waiting for the next event. */
  readonly waiters: Set<() => void>;
}

interface IdempotencyEntry {
  readonly jobId: string;
  readonly fingerprint: string;
  expiresAt: number;
}

export function createMemoryJobStore(options: MemoryJobStoreOptions): JobStore {
  const now = options.now ?? Date.now;
  const jobs = new Map<string, Entry>();
  const keys = new Map<string, IdempotencyEntry>();
  const byOwner = new Map<string, Set<string>>();
  const idempotencyMapKey = (owner: string, key: string) => `${owner}\u0000${key}`;

  function live(id: string): Entry | undefined {
    const entry = jobs.get(id);
    if (entry !== undefined && entry.expiresAt <= now()) {
      drop(id, entry);
      return undefined;
    }
    return entry;
  }

  function drop(id: string, entry: Entry): void {
    jobs.delete(id);
    byOwner.get(entry.record.owner)?.delete(id);
    for (const wake of entry.waiters) wake();
  }

  function sweep(): void {
    const t = now();
    for (const [id, entry] of jobs) if (entry.expiresAt <= t) drop(id, entry);
    for (const [key, entry] of keys) if (entry.expiresAt <= t) keys.delete(key);
  }
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 60_000);
  timer.unref();

  function held(id: string, replicaId: string): Entry | undefined {
    const entry = live(id);
    if (entry === undefined || isTerminal(entry.record.state) || entry.leaseOwner !== replicaId) return undefined;
    return entry;
  }

  function append(entry: Entry, type: string, data: JsonObject): number {
    const seq = entry.events.length + 1;
    entry.events.push({ seq, type, data, at: now() });
    entry.record.lastSeq = seq;
    entry.record.updatedAt = now();
    for (const wake of entry.waiters) wake();
    entry.waiters.clear();
    return seq;
  }

  function snapshot(entry: Entry): JobRecord {
    return { ...entry.record, webhookAttempts: [...entry.record.webhookAttempts] };
  }

  function terminate(entry: Entry, record: Partial<JobRecord> & Pick<JobRecord, 'state'>): void {
    const t = now();
    Object.assign(entry.record, record, { finishedAt: t, updatedAt: t });
    append(entry, stateEventType, stateEventData(record.state, record.error));
    // A finished job (and its key) is kept for a full retention from the end, not from the start.
    entry.expiresAt = t + options.retentionMs;
    const key = entry.record.idempotencyKey;
    const idem = key === undefined ? undefined : keys.get(idempotencyMapKey(entry.record.owner, key));
    if (idem !== undefined) idem.expiresAt = entry.expiresAt;
  }

  return {
    engine: 'memory',

    async create(input) {
      const t = now();
      const mapKey = input.idempotency && idempotencyMapKey(input.owner, input.idempotency.key);
      if (input.idempotency !== undefined && mapKey !== undefined) {
        const known = keys.get(mapKey);
        const job = known && known.expiresAt > t ? live(known.jobId) : undefined;
        if (known !== undefined && job !== undefined) {
          return known.fingerprint === input.idempotency.fingerprint
            ? { kind: 'existing', job: snapshot(job) }
            : { kind: 'conflict', key: input.idempotency.key, jobId: known.jobId };
        }
      }
      const record: Mutable<JobRecord> = { ...newJobRecord(input, t) };
      const entry: Entry = {
        record,
        events: [],
        leaseOwner: input.replicaId,
        leaseExpiresAt: t + input.leaseMs,
        expiresAt: t + options.retentionMs,
        waiters: new Set(),
      };
      jobs.set(record.id, entry);
      append(entry, stateEventType, stateEventData('queued'));
      let owned = byOwner.get(input.owner);
      if (owned === undefined) byOwner.set(input.owner, (owned = new Set()));
      owned.add(record.id);
      if (input.idempotency !== undefined && mapKey !== undefined) {
        keys.set(mapKey, { jobId: record.id, fingerprint: input.idempotency.fingerprint, expiresAt: entry.expiresAt });
      }
      return { kind: 'created', job: snapshot(entry) };
    },

    async peek(id) {
      const entry = live(id);
      return entry === undefined ? undefined : snapshot(entry);
    },

    async get(owner, id) {
      const entry = live(id);
      return entry !== undefined && entry.record.owner === owner ? snapshot(entry) : undefined;
    },

    async list(owner, page) {
      const size = effectivePageSize(page.pageSize);
      const after = afterIdFromPageToken(owner, page.pageToken);
      const ids = [...(byOwner.get(owner) ?? [])]
        .filter((id) => (after === undefined || id < after) && live(id) !== undefined)
        .sort()
        .reverse();
      const pageIds = ids.slice(0, size);
      const last = pageIds.at(-1);
      return {
        jobs: pageIds.map((id) => snapshot(jobs.get(id) as Entry)),
        nextPageToken: ids.length > size && last !== undefined ? pageTokenFor(owner, last) : '',
      };
    },

    async start(id, replicaId) {
      const entry = held(id, replicaId);
      if (entry === undefined || entry.record.state !== 'queued') return false;
      entry.record.state = 'running';
      entry.record.startedAt = now();
      append(entry, stateEventType, stateEventData('running'));
      return true;
    },

    async renewLease(id, replicaId, leaseMs) {
      const entry = held(id, replicaId);
      // An expired lease not yet swept is still this replica's: the job has not been interrupted.
      if (entry === undefined) return 'lost';
      entry.leaseExpiresAt = now() + leaseMs;
      return entry.record.cancelRequested ? 'cancel-requested' : 'held';
    },

    async appendEvent(id, replicaId, type, data) {
      const entry = held(id, replicaId);
      return entry === undefined ? undefined : append(entry, type, data);
    },

    async finish(id, replicaId, outcome) {
      const entry = held(id, replicaId);
      if (entry === undefined) return false;
      terminate(entry, outcome);
      return true;
    },

    async requestCancel(owner, id) {
      const entry = live(id);
      if (entry === undefined || entry.record.owner !== owner) return undefined;
      if (entry.record.state === 'queued') terminate(entry, { state: 'cancelled' });
      else if (entry.record.state === 'running') entry.record.cancelRequested = true;
      return snapshot(entry);
    },

    async releaseKey(id) {
      const entry = live(id);
      const key = entry?.record.idempotencyKey;
      if (entry === undefined || key === undefined || !isTerminal(entry.record.state)) return;
      const mapKey = idempotencyMapKey(entry.record.owner, key);
      if (keys.get(mapKey)?.jobId === id) keys.delete(mapKey);
    },

    async recordWebhookAttempt(id, attempt) {
      const entry = live(id);
      if (entry !== undefined) entry.record.webhookAttempts = [...entry.record.webhookAttempts, attempt];
    },

    async readEvents(id, afterSeq, limit = 1000) {
      return (live(id)?.events ?? []).slice(Math.max(0, afterSeq), Math.max(0, afterSeq) + limit);
    },

    async *watch(id, afterSeq, signal) {
      let next = Math.max(0, afterSeq);
      while (!signal.aborted) {
        const entry = live(id);
        if (entry === undefined) return;
        while (next < entry.events.length) {
          const event = entry.events[next++] as JobEvent;
          yield event;
          if (isTerminalStateEvent(event)) return;
        }
        await new Promise<void>((resolve) => {
          const wake = () => {
            signal.removeEventListener('abort', wake);
            entry.waiters.delete(wake);
            resolve();
          };
          entry.waiters.add(wake);
          signal.addEventListener('abort', wake, { once: true });
        });
      }
    },

    async interruptExpiredLeases() {
      const t = now();
      const interrupted: string[] = [];
      for (const [id, entry] of jobs) {
        if (!isTerminal(entry.record.state) && entry.leaseExpiresAt <= t && entry.expiresAt > t) {
          terminate(entry, { state: 'interrupted', error: interruptedJobError });
          interrupted.push(id);
        }
      }
      return interrupted;
    },

    async close() {
      clearInterval(timer);
    },
  };
}
