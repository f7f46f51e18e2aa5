/**
 * The `JobStore` row of DESIGN §7: jobs, their event logs and idempotency keys behind one small
 * interface with two engines — in process (`createMemoryJobStore`, the default) and Redis
 * (`createRedisJobStore`, shared by replicas). Both pass the same contract tests.
 *
 * Leases carry the at-most-once rule of DESIGN §10: the replica that creates a job holds its lease,
 * renews it while it works, and is the only one that may start it, append to it and finish it. A job
 * whose lease expires is marked `interrupted` by the sweeper — never handed to another replica.
 */
import type { CancelSignal } from '../cancel-signal.js';
import type {
  CreateJobInput,
  CreateJobResult,
  JobEvent,
  JobOutcome,
  JobPage,
  JobPageRequest,
  JobRecord,
  JsonObject,
  LeaseStatus,
  WebhookAttempt,
} from './job-types.js';

export interface JobStore {
  readonly engine: 'memory' | 'redis';

  /** Creates a queued job leased to `input.replicaId`, or, with an idempotency key already used by the
   *  same owner, returns the earlier job (same fingerprint) or a conflict (different fingerprint).
   *  Atomic: two replicas racing on one key create one job. */
  create(input: CreateJobInput): Promise<CreateJobResult>;

  /** The owner's job, or undefined when it does not exist, expired, or belongs to another caller. */
  get(owner: string, id: string): Promise<JobRecord | undefined>;

  /** Any owner's job, for the gateway's own bookkeeping (the webhook of a job the sweeper interrupted);
   *  never for answering a caller, who must only see their own jobs (`get`). */
  peek(id: string): Promise<JobRecord | undefined>;

  /** The owner's jobs, newest first, AIP-132 paging. Throws INVALID_ARGUMENT (`page_token`) for a token
   *  this store did not issue to this owner. */
  list(owner: string, page: JobPageRequest): Promise<JobPage>;

  /** queued → running, by the lease holder only. False if the job is not queued or the lease is lost. */
  start(id: string, replicaId: string): Promise<boolean>;

  /** Extends the holder's lease; `cancel-requested` asks it to stop, `lost` means it must stop. */
  renewLease(id: string, replicaId: string, leaseMs: number): Promise<LeaseStatus>;

  /** Appends an event by the lease holder of a job that is not finished; its sequence number, or
   *  undefined when the job is no longer this replica's to write. */
  appendEvent(id: string, replicaId: string, type: string, data: JsonObject): Promise<number | undefined>;

  /** Moves the holder's running (or queued) job to its terminal state, appends the `state` event and
   *  restarts the retention clock. False when the lease was lost (the job is already terminal). */
  finish(id: string, replicaId: string, outcome: JobOutcome): Promise<boolean>;

  /** The owner asks to cancel: a queued job is cancelled at once, a running one gets `cancelRequested`
   *  for its replica to act on. Undefined when the owner has no such job. */
  requestCancel(owner: string, id: string): Promise<JobRecord | undefined>;

  /** Frees the idempotency key of a finished job (if it still names this job), so the next call with
   *  that key creates a new job. Only for a job that failed before the upstream accepted any work
   *  (DESIGN §10 allows re-running it: nothing was generated, nothing paid). */
  releaseKey(id: string): Promise<void>;

  /** Keeps one webhook delivery attempt on the job (visible through `get`). */
  recordWebhookAttempt(id: string, attempt: WebhookAttempt): Promise<void>;

  /** Events with seq > `afterSeq`, in order (at most `limit`). */
  readEvents(id: string, afterSeq: number, limit?: number): Promise<readonly JobEvent[]>;

  /** Events with seq > `afterSeq` as they are appended (by any replica), ending after the event that
   *  moves the job to a terminal state, or when `signal` aborts, or at once if the job is gone. */
  watch(id: string, afterSeq: number, signal: CancelSignal): AsyncIterable<JobEvent>;

  /** Marks every job whose lease expired `interrupted`; returns their ids. Run by the sweeper. */
  interruptExpiredLeases(): Promise<readonly string[]>;

  /** Releases connections and timers; jobs stay where the engine keeps them. */
  close(): Promise<void>;
}

/** Settings both engines share. */
export interface JobStoreOptions {
  /** How long a finished job, its events and its idempotency key are kept (ms; DESIGN §10: 24 h). */
  readonly retentionMs: number;
}

export const defaultJobRetentionMs = 24 * 60 * 60 * 1000;
