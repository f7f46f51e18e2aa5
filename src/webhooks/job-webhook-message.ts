/**
 * The webhook a job sends when it ends: a Standard Webhooks payload `{type, timestamp, data}` in the
 * REST API's snake_case. It carries the job's outcome, not its images — the receiver reads those from
 * `GET /v1/images/jobs/{id}` (images are hosted URLs; bytes never travel in a webhook).
 */
import type { JobRecord } from '../jobs/job-types.js';
import { snakeCaseKeys } from '../jobs/snake-case-keys.js';

export interface JobWebhookMessage {
  /** `webhook-id`: one per job and final state, so a retry or a second sender is recognisably the same. */
  readonly messageId: string;
  readonly body: string;
}

export function jobWebhookMessage(job: JobRecord, now: number = Date.now()): JobWebhookMessage {
  const data = {
    id: job.id,
    object: 'image.job',
    state: job.state,
    model: job.model,
    created_at: Math.floor(job.createdAt / 1000),
    finished_at: job.finishedAt === undefined ? undefined : Math.floor(job.finishedAt / 1000),
    usage: job.usage === undefined ? undefined : snakeCaseKeys(job.usage),
    error: job.error,
  };
  return {
    messageId: `msg_${job.id}_${job.state}`,
    body: JSON.stringify({ type: `image.job.${job.state}`, timestamp: new Date(now).toISOString(), data }),
  };
}
