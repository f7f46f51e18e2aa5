/**
 * A job as REST shows it (`GET /v1/images/jobs/{id}`, 202 answers, listings): snake_case like every
 * REST payload, and — once it succeeded — its `result` in exactly the body the synchronous call
 * answers (images by URL), read from the job's event log.
 */
import { errorOfJobEnd } from '../jobs/durable-generations.js';
import { generationEventOf } from '../jobs/job-event-codec.js';
import type { JobStore } from '../jobs/job-store.js';
import { isTerminal, type JobRecord, type JsonObject, type JsonValue } from '../jobs/job-types.js';
import { snakeCaseKeys } from '../jobs/snake-case-keys.js';
import type { CollectedItem } from './response-json.js';
import { imagesResponseBody } from './response-json.js';
import { openAiErrorFromGatewayError } from './openai-errors.js';

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : Math.floor(ms / 1000));

/** The synchronous call's body, rebuilt from the log of a succeeded job. */
async function resultOf(store: JobStore, job: JobRecord): Promise<unknown> {
  const items: CollectedItem[] = [];
  for (const event of await store.readEvents(job.id, 0)) {
    const generationEvent = generationEventOf(event);
    if (generationEvent?.type === 'image') items.push({ index: generationEvent.image.index, image: generationEvent.image });
    if (generationEvent?.type === 'failure') items.push({ index: generationEvent.failure.index, failure: generationEvent.failure });
    if (generationEvent?.type === 'completed') {
      const body = imagesResponseBody({ items, usage: generationEvent.usage, model: generationEvent.model }, seconds(job.finishedAt) ?? 0, false, []);
      return JSON.parse(body.toString('utf8'));
    }
  }
  return undefined;
}

export async function jobJson(store: JobStore, job: JobRecord, options: { readonly withResult: boolean }): Promise<JsonObject> {
  const terminal = isTerminal(job.state);
  const error = terminal && job.error !== undefined ? openAiErrorFromGatewayError(errorOfJobEnd(job.state, job.error)).envelope.error : undefined;
  const body = {
    id: job.id,
    object: 'image.job',
    state: job.state,
    model: job.model,
    created_at: seconds(job.createdAt),
    started_at: seconds(job.startedAt),
    finished_at: seconds(job.finishedAt),
    idempotency_key: job.idempotencyKey,
    cancel_requested: job.cancelRequested || undefined,
    usage: job.usage === undefined ? undefined : snakeCaseKeys(job.usage),
    error: error === undefined ? undefined : { ...error, reason: job.error?.reason },
    webhook_url: job.webhookUrl,
    webhook_attempts: job.webhookUrl === undefined ? undefined : snakeCaseKeys(job.webhookAttempts as unknown as JsonValue),
    events_url: `/v1/images/jobs/${job.id}/events`,
    result: options.withResult && job.state === 'succeeded' ? await resultOf(store, job) : undefined,
  };
  return JSON.parse(JSON.stringify(body)) as JsonObject;
}
