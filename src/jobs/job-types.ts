/**
 * Domain types of durable generations (DESIGN §10): the job record every replica can read, its
 * append-only event log, and what creating a job with an idempotency key can answer. Plain JSON
 * shapes, so the in-process and the Redis store hold exactly the same data.
 */
import type { ErrorReason } from '../errors.js';

/** queued → running → succeeded | failed | cancelled | interrupted (DESIGN §10). */
export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted';

/** The states a job never leaves. */
export const terminalJobStates: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

export function isTerminal(state: JobState): boolean {
  return terminalJobStates.has(state);
}

/** JSON values as stored (events, usage): what survives a round trip through Redis unchanged. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** Why a job did not succeed, in the gateway's error vocabulary (the edges map it like any error). */
export interface JobError {
  readonly reason: ErrorReason;
  readonly message: string;
}

/** One delivery attempt of the job's webhook, kept on the job so callers can see what happened. */
export interface WebhookAttempt {
  /** 1-based attempt number within one delivery. */
  readonly attempt: number;
  /** The webhook message id (`webhook-id`), the same for every attempt of one delivery. */
  readonly messageId: string;
  /** Epoch ms when the attempt started. */
  readonly at: number;
  readonly durationMs: number;
  /** HTTP status the receiver answered, if it answered. */
  readonly status?: number;
  /** Why the attempt failed without a status (refused target, network error, timeout). */
  readonly error?: string;
}

export interface JobRecord {
  /** Lowercase, time-ordered id; the resource name is `jobs/{id}`. */
  readonly id: string;
  /** The caller key name that created the job: only that caller sees it. */
  readonly owner: string;
  readonly state: JobState;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  /** The model the caller asked for, for listing. */
  readonly model?: string;
  readonly idempotencyKey?: string;
  readonly webhookUrl?: string;
  /** Set when the caller asked to cancel a running job; the running replica sees it on lease renewal. */
  readonly cancelRequested: boolean;
  /** The core's usage of a finished generation, as JSON. */
  readonly usage?: JsonObject;
  readonly error?: JobError;
  readonly webhookAttempts: readonly WebhookAttempt[];
  /** Number of events in the log (the sequence number of the last one). */
  readonly lastSeq: number;
}

/** An entry of a job's event log. `seq` starts at 1 and has no gaps; watchers resume after a seq. */
export interface JobEvent {
  readonly seq: number;
  /** `state` events are written by the store on every transition; the rest by the running replica. */
  readonly type: string;
  readonly data: JsonObject;
  /** Epoch ms. */
  readonly at: number;
}

export interface CreateJobInput {
  readonly owner: string;
  /** The replica creating the job: it holds the job's lease from creation on. */
  readonly replicaId: string;
  readonly leaseMs: number;
  readonly model?: string;
  readonly webhookUrl?: string;
  /** With a key, the same key + fingerprint returns the existing job instead of a new one. */
  readonly idempotency?: { readonly key: string; readonly fingerprint: string };
}

export type CreateJobResult =
  | { readonly kind: 'created'; readonly job: JobRecord }
  /** Same key, same request: the job created earlier (running or finished). */
  | { readonly kind: 'existing'; readonly job: JobRecord }
  /** Same key, different request: the edges answer 422 / ALREADY_EXISTS naming the key. */
  | { readonly kind: 'conflict'; readonly key: string; readonly jobId: string };

/** How a running job ended, as the replica that ran it reports it. */
export type JobOutcome =
  | { readonly state: 'succeeded'; readonly usage: JsonObject }
  | { readonly state: 'failed'; readonly error: JobError; readonly usage?: JsonObject }
  | { readonly state: 'cancelled'; readonly usage?: JsonObject }
  /** The replica stops (shutdown) with the job unfinished: DESIGN §7, never silently lost. */
  | { readonly state: 'interrupted'; readonly error: JobError; readonly usage?: JsonObject };

/** What a lease renewal tells the running replica. */
export type LeaseStatus = 'held' | 'cancel-requested' | 'lost';

export interface JobPageRequest {
  /** AIP-158: 0 = the default; above the maximum is coerced to the maximum. */
  readonly pageSize?: number;
  readonly pageToken?: string;
}

export interface JobPage {
  /** Newest first. */
  readonly jobs: readonly JobRecord[];
  /** Empty when there are no more pages. */
  readonly nextPageToken: string;
}

/** The error recorded on a job whose replica stopped renewing its lease (DESIGN §10: never re-run). */
export const interruptedJobError: JobError = Object.freeze({
  reason: 'INTERNAL',
  message:
    'the gateway replica running this job stopped before it finished; the job was not re-run, so it was not paid twice',
});
