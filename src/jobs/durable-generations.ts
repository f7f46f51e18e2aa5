/**
 * The core's entry for keyed calls and jobs (DESIGN §10). A plain call never comes here: it keeps the
 * generator's direct path. Here a generation becomes a job owned by the caller key:
 * - validated first (same rules and errors as a plain call), then `store.create` — with an idempotency
 *   key, atomically: the same key and request find the earlier job, a different request is a conflict;
 * - a created job runs detached from the caller's connection on this replica (`runJob`): a disconnect
 *   ends only the caller's view of it, never the generation (its cost is committed);
 * - every caller view (sync answer, stream, `wait=N`, a watch) reads the job's event log from the
 *   start and follows it live, so an attached retry sees exactly what the first caller saw;
 * - when the job ends, its webhook (the job's URL or the caller key's default) is sent signed.
 */
import { setMaxListeners } from 'node:events';
import type { CancelSignal } from '../cancel-signal.js';
import { GatewayError, type ErrorReason } from '../errors.js';
import type { ImageGenerator } from '../service/image-generator.js';
import type { GenerateContext, GenerationEvent, GenerationSpec } from '../service/types.js';
import type { UpstreamWaitClock } from '../telemetry/call-overhead.js';
import type { Logger } from '../telemetry/logger.js';
import { webhookUrlProblem } from '../webhooks/webhook-target.js';
import { withHeartbeats } from '../service/heartbeats.js';
import { generationEventOf, loggedEventOf } from './job-event-codec.js';
import { isTerminalStateEvent } from './job-events.js';
import type { JobStore } from './job-store.js';
import { runJob, type JobRunResult } from './job-runner.js';
import type { JobError, JobRecord, JobState } from './job-types.js';
import { requestFingerprint } from './request-fingerprint.js';
import type { JobWebhooks } from './job-webhooks.js';

export interface DurableGenerationsDeps {
  readonly generator: ImageGenerator;
  readonly store: JobStore;
  /** Random per process: the lease holder's name. */
  readonly replicaId: string;
  readonly leaseMs: number;
  /** The deadline of a detached generation (MAX_CALL_DURATION_MS): nobody's connection bounds it. */
  readonly maxCallDurationMs: number;
  readonly webhooks: JobWebhooks;
  readonly logger: Logger;
  /** Heartbeats of a caller's view while the job is silent (HEARTBEAT_INTERVAL_MS; 0 = none): the log
   *  holds none, but an attached stream must stay alive through proxies like a plain one. */
  readonly heartbeatIntervalMs?: number;
}

export interface DurableOptions {
  /** The caller's idempotency key (`Idempotency-Key`, `request_id`). */
  readonly key?: string;
  /** Where to send the job's webhook; default: the caller key's configured URL. */
  readonly webhookUrl?: string;
}

export interface StartedJob {
  readonly job: JobRecord;
  /** False when the key found an earlier job: the caller attaches to it. */
  readonly created: boolean;
}

export interface DurableGenerations {
  readonly store: JobStore;
  /** Validates, then creates the job and starts it here — or finds the one the key names. */
  start(spec: GenerationSpec, context: GenerateContext, options: DurableOptions): Promise<StartedJob>;
  /** The generation events of a job from the start of its log, live until it ends. A job that did not
   *  succeed ends the iteration with its error; `signal` ends only this view. Waits on the log count as
   *  upstream waits on `waitClock` (the overhead signal: the job is waiting for its generation). */
  follow(jobId: string, signal: CancelSignal, waitClock?: UpstreamWaitClock): AsyncIterable<GenerationEvent>;
  /** Jobs started here that are still running. */
  readonly running: number;
  /** Ends the jobs running here as `interrupted` (DESIGN §7) and waits for them to record it. */
  close(): Promise<void>;
}

/** Failures that happen before the upstream accepts any work (the gateway's or the caller's limits, or
 *  the upstream refusing with 429): nothing was generated or paid, so the job's key is released and a
 *  retry with it runs the generation afresh — at most once upstream still holds. */
const refusedBeforeUpstream: ReadonlySet<ErrorReason> = new Set(['CONCURRENCY_LIMITED', 'RATE_LIMITED', 'QUOTA_EXCEEDED']);

/** The error a caller gets for a job that ended without succeeding. Retrying the same key returns the
 *  same outcome — so it is not retryable — except after a refusal before the upstream (key released). */
export function errorOfJobEnd(state: JobState, error: JobError | undefined): GatewayError {
  if (state === 'cancelled') return new GatewayError('CANCELLED', 'the job was cancelled', { retryable: false });
  if (state === 'interrupted') {
    return new GatewayError('SHUTTING_DOWN', error?.message ?? 'the job was interrupted', { retryable: false });
  }
  if (error !== undefined && refusedBeforeUpstream.has(error.reason)) return new GatewayError(error.reason, error.message);
  return new GatewayError(error?.reason ?? 'INTERNAL', error?.message ?? 'the job failed', { retryable: false });
}

/** `events`, reporting an error thrown before the generation yields anything to `refused` (a no-op once
 *  the admission promise has settled). */
async function* refusalReported(events: AsyncIterable<GenerationEvent>, refused: (error: unknown) => void): AsyncGenerator<GenerationEvent> {
  try {
    yield* events;
  } catch (error) {
    refused(error);
    throw error;
  }
}

/** Longest a running job takes to see its owner's cancel. */
const cancelCheckMs = 1000;

export function createDurableGenerations(deps: DurableGenerationsDeps): DurableGenerations {
  const { store, generator } = deps;
  const shutdown = new AbortController();
  // Every job running here listens for the shutdown: thousands of listeners are expected, not a leak.
  setMaxListeners(0, shutdown.signal);
  const runs = new Set<Promise<unknown>>();

  function webhookUrlFor(owner: string, requested: string | undefined): string | undefined {
    if (requested === undefined) return deps.webhooks.defaultUrlOf(owner);
    const problem = deps.webhooks.urlProblem(requested) ?? (deps.webhooks.hasSecret(owner) ? undefined : 'no webhook secret is configured for this caller key (WEBHOOK_SECRETS)');
    if (problem !== undefined) throw new GatewayError('INVALID_ARGUMENT', `webhookUrl: ${problem}`, { violations: [{ field: 'webhookUrl', description: problem }] });
    return requested;
  }

  function launch(job: JobRecord, events: AsyncIterable<GenerationEvent>, abortGeneration: (reason: unknown) => void, ended: () => void): void {
    const run: Promise<JobRunResult> = runJob({
      store,
      jobId: job.id,
      replicaId: deps.replicaId,
      leaseMs: deps.leaseMs,
      // Renewal is also how a cancel from any replica reaches the run: at least once a second.
      renewEveryMs: Math.min(Math.floor(deps.leaseMs / 3), cancelCheckMs),
      shutdownSignal: shutdown.signal,
      generate(signal) {
        signal.addEventListener('abort', () => abortGeneration(signal.reason), { once: true });
        return events;
      },
      toJobEvent: async (event) => loggedEventOf(event),
    });
    const done = run
      .then(async (state) => {
        deps.logger.info({ job: job.id, keyName: job.owner, state }, 'job ended');
        if (state === 'failed' && job.idempotencyKey !== undefined) {
          const ended = await store.peek(job.id);
          if (ended?.error !== undefined && refusedBeforeUpstream.has(ended.error.reason)) await store.releaseKey(job.id);
        }
        if (state !== 'lost') await deps.webhooks.sendFor(job.owner, job.id);
      })
      .catch((error: unknown) => deps.logger.error({ err: error, job: job.id }, 'job run failed'))
      .finally(() => {
        runs.delete(done);
        ended(); // a run that never reached admission (lease lost at start) must not hold its creator
      });
    runs.add(done);
  }

  return {
    store,
    get running() {
      return runs.size;
    },

    async start(spec, context, options) {
      if (spec.responseFormat !== 'url') {
        const description = 'jobs and calls with an idempotency key deliver images by URL (hosted by the gateway), never inline; use url';
        throw new GatewayError('INVALID_ARGUMENT', `responseFormat: ${description}`, { violations: [{ field: 'responseFormat', description }] });
      }
      const owner = context.caller.keyName;
      const webhookUrl = webhookUrlFor(owner, options.webhookUrl);
      const generation = new AbortController();
      // Settles when the detached run is admitted (slot and quotas taken) or refused before that.
      let admitted: () => void = () => {};
      let refused: (error: unknown) => void = () => {};
      const admission = new Promise<void>((resolve, reject) => {
        admitted = resolve;
        refused = reject;
      });
      // Validates now (a GatewayError before any store or upstream work); runs only when iterated.
      const events = generator.generate(spec, {
        signal: generation.signal,
        caller: context.caller,
        onAdmitted: () => admitted(),
        deadline: Date.now() + deps.maxCallDurationMs,
        ...(context.traceContext && { traceContext: context.traceContext }),
      });
      const result = await store.create({
        owner,
        replicaId: deps.replicaId,
        leaseMs: deps.leaseMs,
        model: spec.model,
        ...(webhookUrl !== undefined && { webhookUrl }),
        ...(options.key !== undefined && { idempotency: { key: options.key, fingerprint: requestFingerprint(spec, webhookUrl === undefined ? {} : { webhookUrl }) } }),
      });
      if (result.kind === 'conflict') {
        const description = `already used for a different request (job ${result.jobId}); use a new key for a new request`;
        throw new GatewayError('IDEMPOTENCY_CONFLICT', `idempotency key ${JSON.stringify(result.key)} was ${description}`, {
          violations: [{ field: 'idempotencyKey', description }],
        });
      }
      if (result.kind === 'created') {
        launch(result.job, refusalReported(events, refused), (reason) => generation.abort(reason), () => admitted());
        // Over its limits, a new job is refused like a plain call (429 / RESOURCE_EXHAUSTED), not
        // accepted and failed later; the job stays on record as failed, its key released.
        await admission;
      }
      return { job: result.job, created: result.kind === 'created' };
    },

    follow(jobId, signal, waitClock) {
      const started = Date.now();
      const seen = { images: 0, failures: 0 };
      async function* logged(): AsyncGenerator<GenerationEvent> {
        const log = store.watch(jobId, 0, signal)[Symbol.asyncIterator]();
        try {
          for (;;) {
            waitClock?.beginWait();
            const next = await log.next().finally(() => waitClock?.endWait());
            if (next.done === true) break;
            const event = next.value;
            const generationEvent = generationEventOf(event);
            if (generationEvent?.type === 'image') seen.images += 1;
            if (generationEvent?.type === 'failure') seen.failures += 1;
            if (generationEvent !== undefined) yield generationEvent;
            if (isTerminalStateEvent(event)) {
              const state = event.data['state'] as JobState;
              if (state === 'succeeded') return;
              throw errorOfJobEnd(state, event.data['error'] as unknown as JobError | undefined);
            }
          }
        } finally {
          // A view that stops early (a sync answer ends at `completed`) stops following the log.
          await log.return?.();
        }
        if (signal.aborted) throw signal.reason;
        throw new GatewayError('JOB_NOT_FOUND', `job ${jobId} no longer exists (its retention ran out)`);
      }
      const heartbeat = (): GenerationEvent => ({ type: 'heartbeat', elapsedMs: Date.now() - started, imagesDelivered: seen.images, imagesFailed: seen.failures });
      return withHeartbeats(logged(), deps.heartbeatIntervalMs ?? 0, heartbeat);
    },

    async close() {
      shutdown.abort(new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down'));
      await Promise.allSettled([...runs]);
    },
  };
}
