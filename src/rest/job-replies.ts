/**
 * The 202 answer of a call that became a job (`Prefer: respond-async`, or `wait=N` elapsed): the job as
 * `GET /v1/images/jobs/{id}` shows it, where to find it (`Location`), and which preference was applied.
 */
import type { FastifyReply } from 'fastify';
import type { JobStore } from '../jobs/job-store.js';
import type { JobRecord } from '../jobs/job-types.js';
import { jobJson } from './job-json.js';
import { JSON_CONTENT_TYPE } from './reply-error.js';

export function jobLocation(id: string): string {
  return `/v1/images/jobs/${id}`;
}

export async function sendJobAccepted(reply: FastifyReply, store: JobStore, job: JobRecord, preferenceApplied: string): Promise<void> {
  const body = await jobJson(store, job, { withResult: false });
  void reply
    .code(202)
    .headers({ location: jobLocation(job.id), 'preference-applied': preferenceApplied })
    .type(JSON_CONTENT_TYPE)
    .send(JSON.stringify(body));
}
