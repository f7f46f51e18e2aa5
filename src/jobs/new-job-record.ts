/**
 * The record of a job just created, before its first event: the same starting point for both engines.
 */
import { newJobId } from './job-id.js';
import type { CreateJobInput, JobRecord } from './job-types.js';

export function newJobRecord(input: CreateJobInput, nowMs: number): JobRecord {
  return {
    id: newJobId(nowMs),
    owner: input.owner,
    state: 'queued',
    createdAt: nowMs,
    updatedAt: nowMs,
    cancelRequested: false,
    webhookAttempts: [],
    lastSeq: 0,
    ...(input.model !== undefined && { model: input.model }),
    ...(input.webhookUrl !== undefined && { webhookUrl: input.webhookUrl }),
    ...(input.idempotency !== undefined && { idempotencyKey: input.idempotency.key }),
  };
}
