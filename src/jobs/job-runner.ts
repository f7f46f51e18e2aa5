/**
 * Runs one job on the replica that holds its lease: starts it, renews the lease while the generation
 * runs, writes the generation's events to the job's log, and finishes it with the outcome. The
 * generation is detached from any caller connection (DESIGN §10) and stops only when
 * - the owner cancels (seen on lease renewal, from any replica) → `cancelled`;
 * - this replica shuts down (`shutdownSignal`) → `interrupted` (DESIGN §7: never silently lost);
 * - the lease is lost (the sweeper already marked the job `interrupted`) → it stops without writing:
 *   the job is not this replica's any more, and nobody re-runs it (at most once upstream).
 */
import { toGatewayError } from '../errors.js';
import type { GenerationEvent, Usage } from '../service/types.js';
import type { JobStore } from './job-store.js';
import type { JobOutcome, JobState, JsonObject } from './job-types.js';

export interface JobRunOptions {
  readonly store: JobStore;
  readonly jobId: string;
  readonly replicaId: string;
  readonly leaseMs: number;
  /** How often the lease is renewed and cancellation checked (default a third of the lease). */
  readonly renewEveryMs?: number;
  /** Aborted when this replica shuts down. */
  readonly shutdownSignal?: AbortSignal;
  /** Starts the generation; `signal` aborts it (and its upstream request). */
  generate(signal: AbortSignal): AsyncIterable<GenerationEvent>;
  /** The job event for a generation event (hosting its image first), or undefined to leave it out of
   *  the log (heartbeats). */
  toJobEvent(event: GenerationEvent): Promise<{ type: string; data: JsonObject } | undefined>;
}

/** How the run ended: the job's final state, or `lost` when it was not this replica's to finish. */
export type JobRunResult = JobState | 'lost';

const usageJson = (usage: Usage) => JSON.parse(JSON.stringify(usage)) as JsonObject;

export async function runJob(options: JobRunOptions): Promise<JobRunResult> {
  const { store, jobId, replicaId, leaseMs } = options;
  if (!(await store.start(jobId, replicaId))) return 'lost';
  const stop = new AbortController();
  let stoppedBy: 'cancel' | 'lost' | 'shutdown' | undefined;
  const stopFor = (reason: 'cancel' | 'lost' | 'shutdown') => {
    stoppedBy ??= reason;
    stop.abort(new Error(`job ${reason}`));
  };
  const onShutdown = () => stopFor('shutdown');
  options.shutdownSignal?.addEventListener('abort', onShutdown, { once: true });
  if (options.shutdownSignal?.aborted) onShutdown();
  const renewal = setInterval(() => {
    store.renewLease(jobId, replicaId, leaseMs).then(
      (status) => {
        if (status === 'cancel-requested') stopFor('cancel');
        if (status === 'lost') stopFor('lost');
      },
      // A failed renewal (Redis briefly away) is retried on the next tick; the lease has slack for it.
      () => {},
    );
  }, options.renewEveryMs ?? Math.floor(leaseMs / 3));

  let usage: Usage | undefined;
  let failure: unknown;
  try {
    for await (const event of options.generate(stop.signal)) {
      if (event.type === 'completed') usage = event.usage;
      const jobEvent = await options.toJobEvent(event);
      if (jobEvent === undefined) continue;
      if ((await store.appendEvent(jobId, replicaId, jobEvent.type, jobEvent.data)) === undefined) {
        stopFor('lost');
        break;
      }
    }
  } catch (error) {
    failure = error;
  } finally {
    clearInterval(renewal);
    options.shutdownSignal?.removeEventListener('abort', onShutdown);
  }
  if (stoppedBy === 'lost') return 'lost';
  const outcome = outcomeOf(stoppedBy, usage, failure);
  return (await store.finish(jobId, replicaId, outcome)) ? outcome.state : 'lost';
}

function outcomeOf(stoppedBy: 'cancel' | 'shutdown' | undefined, usage: Usage | undefined, failure: unknown): JobOutcome {
  const spent = usage === undefined ? {} : { usage: usageJson(usage) };
  if (stoppedBy === 'cancel') return { state: 'cancelled', ...spent };
  if (stoppedBy === 'shutdown') {
    return { state: 'interrupted', error: { reason: 'INTERNAL', message: 'the gateway shut down before the job finished' }, ...spent };
  }
  if (failure !== undefined) {
    const error = toGatewayError(failure);
    return { state: 'failed', error: { reason: error.reason, message: error.message }, ...spent };
  }
  if (usage === undefined) {
    return { state: 'failed', error: { reason: 'INTERNAL', message: 'the generation ended without completing' } };
  }
  return { state: 'succeeded', usage: usageJson(usage) };
}
