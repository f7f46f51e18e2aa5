/**
 * The webhook a job sends when it ends: a Standard Webhooks payload `{type, timestamp, data}` in the
 * REST API's snake_case. It carries the job's outcome, not its images — the receiver reads those from
 * `GET /v1/images/jobs/{id}` (images are hosted URLs; bytes never travel in a webhook).
 */
import type { JobRecord, JsonValue } from '../jobs/job-types.js';

export interface JobWebhookMessage {
  /** `webhook-id`: one per job and final state, so a retry or a second sender is recognisably the same. */
  readonly messageId: string;
  readonly body: string;
}

/** The stored JSON (the core's camelCase usage) with snake_case keys, like every REST payload. */
function snakeCaseKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((item: JsonValue) => snakeCaseKeys(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCaseKeys(member)]),
  );
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
