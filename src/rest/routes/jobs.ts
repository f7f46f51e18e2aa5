/**
 * The job resources of DESIGN §10 on REST: `GET /v1/images/jobs` (own jobs, newest first, paged),
 * `GET /v1/images/jobs/{id}` (with its result once it succeeded), `GET /v1/images/jobs/{id}/events`
 * (SSE: the log from the start, or after `Last-Event-ID`, then live until the job ends) and
 * `POST /v1/images/jobs/{id}/cancel`. Another caller's job is a 404, like one that never existed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, toGatewayError } from '../../errors.js';
import type { DurableGenerations } from '../../jobs/durable-generations.js';
import { isJobId } from '../../jobs/job-id.js';
import type { JobEvent, JobRecord } from '../../jobs/job-types.js';
import { snakeCaseKeys } from '../../jobs/snake-case-keys.js';
import type { Logger } from '../../telemetry/logger.js';
import { jobJson } from '../job-json.js';
import { RestRequestError } from '../openai-errors.js';
import { JSON_CONTENT_TYPE, sendError } from '../reply-error.js';
import { openSse, sseComment } from '../sse-writer.js';

type IdParams = { Params: { id: string } };

/** How often a silent event stream gets a comment line. */
const keepAliveMs = 15_000;

function notFound(id: string): GatewayError {
  return new GatewayError('JOB_NOT_FOUND', `job ${JSON.stringify(id)} does not exist for this key (never created, expired, or another key's)`);
}

function ownerOf(request: FastifyRequest): string {
  if (request.caller === null) throw new GatewayError('INTERNAL', 'no authenticated caller on an authenticated route');
  return request.caller.keyName;
}

/** A whole number from a query or header value, or a 400 naming `name`. */
function wholeNumber(name: string, value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) {
    throw new RestRequestError('invalid_value', `${name}: must be a whole number`, [{ field: name, description: 'must be a whole number' }]);
  }
  return Number(value);
}

/** One SSE frame per logged event: `id` is its sequence number, the event name its type. */
function eventFrame(event: JobEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify({ seq: event.seq, type: event.type, ...(snakeCaseKeys(event.data) as object) })}\n\n`;
}

export function registerJobRoutes(app: FastifyInstance, durable: DurableGenerations, logger: Logger): void {
  const { store } = durable;
  const ownJob = async (request: FastifyRequest<IdParams>): Promise<JobRecord> => {
    const { id } = request.params;
    const job = isJobId(id) ? await store.get(ownerOf(request), id) : undefined;
    if (job === undefined) throw notFound(id);
    return job;
  };
  const answer = async (reply: FastifyReply, work: () => Promise<unknown>) => {
    try {
      const body = await work();
      if (body !== undefined) void reply.code(200).type(JSON_CONTENT_TYPE).send(JSON.stringify(body));
    } catch (error) {
      const gatewayError = toGatewayError(error);
      if (gatewayError.reason === 'INTERNAL') logger.error({ err: gatewayError.cause ?? gatewayError }, 'rest: job route failed');
      if (reply.sent || reply.raw.headersSent) reply.raw.destroy();
      else void sendError(reply, gatewayError);
    }
  };

  app.get<{ Querystring: { page_size?: string; page_token?: string } }>('/v1/images/jobs', (request, reply) =>
    answer(reply, async () => {
      const pageSize = wholeNumber('page_size', request.query.page_size);
      const pageToken = request.query.page_token;
      const page = await store.list(ownerOf(request), { ...(pageSize !== undefined && { pageSize }), ...(pageToken !== undefined && pageToken !== '' && { pageToken }) });
      const data = await Promise.all(page.jobs.map((job) => jobJson(store, job, { withResult: false })));
      return { object: 'list', data, next_page_token: page.nextPageToken === '' ? null : page.nextPageToken };
    }),
  );

  app.get<IdParams>('/v1/images/jobs/:id', (request, reply) => answer(reply, async () => jobJson(store, await ownJob(request), { withResult: true })));

  app.post<IdParams>('/v1/images/jobs/:id/cancel', (request, reply) =>
    answer(reply, async () => {
      const { id } = request.params;
      const job = isJobId(id) ? await store.requestCancel(ownerOf(request), id) : undefined;
      if (job === undefined) throw notFound(id);
      return jobJson(store, job, { withResult: false });
    }),
  );

  app.get<IdParams>('/v1/images/jobs/:id/events', (request, reply) =>
    answer(reply, async () => {
      const job = await ownJob(request);
      const lastEventId = request.headers['last-event-id'];
      const after = wholeNumber('Last-Event-ID', Array.isArray(lastEventId) ? lastEventId[0] : lastEventId) ?? 0;
      const watching = new AbortController();
      const raw = reply.raw;
      raw.once('close', () => watching.abort(new GatewayError('CANCELLED', 'the client disconnected')));
      reply.hijack();
      const sse = openSse(raw, {});
      // Comments while the job is silent, so proxies do not cut a watch that is only waiting.
      const keepAlive = setInterval(() => void sse.write(sseComment('keep-alive')), keepAliveMs);
      try {
        for await (const event of store.watch(job.id, after, watching.signal)) {
          if (!(await sse.write(eventFrame(event)))) break;
        }
      } finally {
        clearInterval(keepAlive);
      }
      sse.end();
      return undefined;
    }),
  );
}
