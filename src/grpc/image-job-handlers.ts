/**
 * The job RPCs of `seedream.v1.ImageService` (DESIGN §10): CreateImageJob, GetImageJob, WatchImageJob,
 * CancelImageJob, ListImageJobs. Every one acts on the caller key's own jobs only: another caller's job
 * is NOT_FOUND, like one that never existed.
 */
import type { CallContext } from 'nice-grpc-common';
import type {
  CancelImageJobRequest,
  CancelImageJobResponse,
  CreateImageJobRequest,
  CreateImageJobResponse,
  GetImageJobRequest,
  GetImageJobResponse,
  ListImageJobsRequest,
  ListImageJobsResponse,
  WatchImageJobRequest,
  WatchImageJobResponse,
} from '../../gen/seedream/v1/image_jobs.js';
import { specFromProto } from '../contract/spec-from-proto.js';
import { GatewayError } from '../errors.js';
import type { DurableGenerations } from '../jobs/durable-generations.js';
import { isJobId } from '../jobs/job-id.js';
import type { JobRecord } from '../jobs/job-types.js';
import type { GenerateContext } from '../service/types.js';
import type { CallerContext } from './auth-middleware.js';
import type { CallSignalExt } from './request-checks.js';
import type { TraceContextExt } from './tracing-middleware.js';
import { jobToProto, jobWithResultToProto, watchResponseFromEvent } from './job-to-proto.js';

type Context = CallContext & CallerContext & TraceContextExt & CallSignalExt;

/** The id of a `jobs/{id}` name, or INVALID_ARGUMENT naming `name`. */
function jobIdOf(name: string): string {
  const id = name.startsWith('jobs/') ? name.slice('jobs/'.length) : '';
  if (!isJobId(id)) {
    const description = 'must be jobs/{id}, as CreateImageJob returned it';
    throw new GatewayError('INVALID_ARGUMENT', `name: ${description}`, { violations: [{ field: 'name', description }] });
  }
  return id;
}

function notFound(name: string): GatewayError {
  return new GatewayError('JOB_NOT_FOUND', `${name} does not exist for this caller (never created, expired, or another key's)`);
}

export interface ImageJobHandlers {
  createImageJob(request: CreateImageJobRequest, context: Context): Promise<CreateImageJobResponse>;
  getImageJob(request: GetImageJobRequest, context: Context): Promise<GetImageJobResponse>;
  watchImageJob(request: WatchImageJobRequest, context: Context): AsyncIterable<WatchImageJobResponse>;
  cancelImageJob(request: CancelImageJobRequest, context: Context): Promise<CancelImageJobResponse>;
  listImageJobs(request: ListImageJobsRequest, context: Context): Promise<ListImageJobsResponse>;
}

export function createImageJobHandlers(durable: DurableGenerations, generateContextOf: (context: Context) => GenerateContext): ImageJobHandlers {
  const { store } = durable;
  const ownJob = async (name: string, context: Context): Promise<JobRecord> => {
    const job = await store.get(context.caller.keyName, jobIdOf(name));
    if (job === undefined) throw notFound(name);
    return job;
  };

  return {
    async createImageJob(request, context) {
      const { job } = await durable.start(specFromProto(request.spec), generateContextOf(context), {
        ...(request.requestId !== '' && { key: request.requestId }),
        ...(request.webhookUrl !== '' && { webhookUrl: request.webhookUrl }),
      });
      return { job: jobToProto(job) };
    },

    async getImageJob(request, context) {
      return { job: await jobWithResultToProto(store, await ownJob(request.name, context)) };
    },

    async *watchImageJob(request, context) {
      const job = await ownJob(request.name, context);
      if (request.afterSequence < 0) {
        const description = 'must be 0 or a sequence number the watch returned';
        throw new GatewayError('INVALID_ARGUMENT', `after_sequence: ${description}`, { violations: [{ field: 'afterSequence', description }] });
      }
      for await (const event of store.watch(job.id, request.afterSequence, context.callSignal)) {
        const message = watchResponseFromEvent(event);
        if (message !== undefined) yield message;
      }
    },

    async cancelImageJob(request, context) {
      const job = await store.requestCancel(context.caller.keyName, jobIdOf(request.name));
      if (job === undefined) throw notFound(request.name);
      return { job: jobToProto(job) };
    },

    async listImageJobs(request, context) {
      if (request.pageSize < 0) {
        const description = 'must not be negative';
        throw new GatewayError('INVALID_ARGUMENT', `page_size: ${description}`, { violations: [{ field: 'pageSize', description }] });
      }
      const page = await store.list(context.caller.keyName, { pageSize: request.pageSize, ...(request.pageToken !== '' && { pageToken: request.pageToken }) });
      return { jobs: page.jobs.map(jobToProto), nextPageToken: page.nextPageToken };
    },
  };
}
