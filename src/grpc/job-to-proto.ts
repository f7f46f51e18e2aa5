/**
 * Jobs and their logged events as the proto `ImageJob` and `WatchImageJobResponse` (DESIGN §10): the
 * same conversions of images, failures and usage as GenerateImages uses, from the job's log.
 */
import { ImageJob_State, type ImageJob, type ImageJobError, type WatchImageJobResponse } from '../../gen/seedream/v1/image_jobs.js';
import { generationEventOf } from '../jobs/job-event-codec.js';
import { stateEventType } from '../jobs/job-events.js';
import type { JobStore } from '../jobs/job-store.js';
import type { JobError, JobEvent, JobRecord, JobState } from '../jobs/job-types.js';
import type { Usage } from '../service/types.js';
import { streamResponseFromEvent, usageFromDomain } from './events-to-proto.js';
import { generateResponseFromEvents } from './generate-response-from-events.js';

const protoStates: Readonly<Record<JobState, ImageJob_State>> = {
  queued: ImageJob_State.STATE_QUEUED,
  running: ImageJob_State.STATE_RUNNING,
  succeeded: ImageJob_State.STATE_SUCCEEDED,
  failed: ImageJob_State.STATE_FAILED,
  cancelled: ImageJob_State.STATE_CANCELLED,
  interrupted: ImageJob_State.STATE_INTERRUPTED,
};

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
const errorOf = (error: JobError | undefined): ImageJobError | undefined => (error === undefined ? undefined : { reason: error.reason, message: error.message });

export function jobToProto(job: JobRecord): ImageJob {
  return {
    name: `jobs/${job.id}`,
    state: protoStates[job.state],
    model: job.model ?? '',
    createTime: date(job.createdAt),
    startTime: date(job.startedAt),
    finishTime: date(job.finishedAt),
    requestId: job.idempotencyKey ?? '',
    cancelRequested: job.cancelRequested,
    usage: job.usage === undefined ? undefined : usageFromDomain(job.usage as unknown as Usage),
    error: errorOf(job.error),
    images: [],
    failures: [],
    webhookUrl: job.webhookUrl ?? '',
    webhookAttempts: job.webhookAttempts.map((attempt) => ({
      attempt: attempt.attempt,
      messageId: attempt.messageId,
      attemptTime: new Date(attempt.at),
      durationMs: Math.round(attempt.durationMs),
      httpStatus: attempt.status ?? 0,
      error: attempt.error ?? '',
    })),
  };
}

/** The job with its images and failures, read from its log once it succeeded. */
export async function jobWithResultToProto(store: JobStore, job: JobRecord): Promise<ImageJob> {
  const proto = jobToProto(job);
  if (job.state !== 'succeeded') return proto;
  const events = (await store.readEvents(job.id, 0)).flatMap((event) => generationEventOf(event) ?? []);
  const result = await generateResponseFromEvents((async function* replay() {
    yield* events;
  })());
  return { ...proto, images: result.images, failures: result.failures };
}

/** One logged event as WatchImageJob sends it. */
export function watchResponseFromEvent(event: JobEvent): WatchImageJobResponse | undefined {
  if (event.type === stateEventType) {
    const state = event.data['state'] as JobState;
    return { sequence: event.seq, event: { $case: 'stateChange', value: { state: protoStates[state], error: errorOf(event.data['error'] as unknown as JobError | undefined) } } };
  }
  const generationEvent = generationEventOf(event);
  if (generationEvent === undefined) return undefined;
  const message = streamResponseFromEvent(generationEvent).event;
  if (message === undefined || message.$case === 'heartbeat') return undefined;
  return { sequence: event.seq, event: message };
}
