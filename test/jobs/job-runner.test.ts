/**
 * The job runner over both JobStore engines: a generation detached from its caller, cancelled from
 * another replica through the lease, interrupted on shutdown, and stopped without a write once the
 * sweeper has taken its lease away.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { runJob, type JobRunOptions } from '../../src/jobs/job-runner.js';
import type { JobStore } from '../../src/jobs/job-store.js';
import type { JobEvent, JsonObject } from '../../src/jobs/job-types.js';
import { sleep } from '../../src/service/retry-policy.js';
import type { GenerationEvent, Usage } from '../../src/service/types.js';
import { memoryEngine, redisEngine, type OpenedStore } from './job-store-engines.js';

const usage: Usage = { generatedImages: 2, failedImages: 0, outputTokens: 8192, webSearches: 0, estimatedCost: { currency: 'USD', micros: 80_000 } };

function image(index: number): GenerationEvent {
  return {
    type: 'image',
    image: { index, requestIndex: 0, setIndex: index, mimeType: 'image/png', width: 64, height: 64,
      content: { kind: 'url', url: `https://assets.example/${index}.png`, expiresAt: new Date(0) } },
  };
}

/** A generation yielding two images `gapMs` apart, then `completed`; honours its signal like the core. */
function generation(gapMs: number, log: { aborted: boolean }) {
  return async function* (signal: AbortSignal): AsyncIterable<GenerationEvent> {
    signal.addEventListener('abort', () => (log.aborted = true));
    yield { type: 'heartbeat', elapsedMs: 1, imagesDelivered: 0, imagesFailed: 0 };
    for (const index of [0, 1]) {
      await sleep(gapMs, signal);
      yield image(index);
    }
    yield { type: 'completed', usage, model: 'doubao-seedream-4-5-251128' };
  };
}

/** Images by URL, completion with its usage; heartbeats left out of the log. */
async function toJobEvent(event: GenerationEvent): Promise<{ type: string; data: JsonObject } | undefined> {
  if (event.type === 'image') return { type: 'image', data: { index: event.image.index, url: event.image.content.kind === 'url' ? event.image.content.url : '' } };
  if (event.type === 'completed') return { type: 'completed', data: { model: event.model } };
  return undefined;
}

describe.each([memoryEngine(), redisEngine()])('job runner ($name)', (engine) => {
  let opened: OpenedStore;
  let store: JobStore;

  beforeAll(async () => {
    if (engine.run) await engine.setup();
  });
  afterEach(() => engine.closeOpened());
  afterAll(() => engine.teardown());

  async function newJob(leaseMs = 30_000) {
    opened = await engine.open(60_000);
    store = opened.store;
    const created = await store.create({ owner: 'alice', replicaId: 'A', leaseMs });
    if (created.kind !== 'created') throw new Error(created.kind);
    return created.job.id;
  }

  const options = (jobId: string, generate: JobRunOptions['generate'], more: Partial<JobRunOptions> = {}): JobRunOptions => ({
    store, jobId, replicaId: 'A', leaseMs: 30_000, renewEveryMs: 50, generate, toJobEvent, ...more,
  });

  const types = (events: readonly JobEvent[]) => events.map((e) => (e.type === 'state' ? `state:${String(e.data['state'])}` : e.type));

  it.runIf(engine.run)('writes the events and the usage of a generation that completes', async () => {
    const id = await newJob();
    expect(await runJob(options(id, generation(10, { aborted: false })))).toBe('succeeded');
    expect(types(await store.readEvents(id, 0))).toEqual(['state:queued', 'state:running', 'image', 'image', 'completed', 'state:succeeded']);
    expect((await store.get('alice', id))?.usage).toEqual(usage);
  });

  it.runIf(engine.run)('records a failed generation with its reason and message', async () => {
    const id = await newJob();
    const failing = async function* (): AsyncIterable<GenerationEvent> {
      yield image(0);
      throw new GatewayError('CONTENT_REJECTED', 'every image was moderated');
    };
    expect(await runJob(options(id, failing))).toBe('failed');
    expect(await store.get('alice', id)).toMatchObject({ state: 'failed', error: { reason: 'CONTENT_REJECTED', message: 'every image was moderated' } });
  });

  it.runIf(engine.run)('stops the generation when its owner cancels from another replica', async () => {
    const id = await newJob();
    const log = { aborted: false };
    const running = runJob(options(id, generation(2_000, log)));
    await sleep(200, new AbortController().signal);
    await opened.peer().requestCancel('alice', id);
    expect(await running).toBe('cancelled');
    expect(log.aborted).toBe(true);
    expect((await store.get('alice', id))?.state).toBe('cancelled');
  });

  it.runIf(engine.run)('marks the job interrupted when this replica shuts down', async () => {
    const id = await newJob();
    const shutdown = new AbortController();
    const running = runJob(options(id, generation(2_000, { aborted: false }), { shutdownSignal: shutdown.signal }));
    await sleep(100, new AbortController().signal);
    shutdown.abort();
    expect(await running).toBe('interrupted');
    expect((await store.get('alice', id))?.error?.message).toMatch(/shut down/);
  });

  it.runIf(engine.run)('stops without writing once the sweeper interrupted the job (a paused replica)', async () => {
    const id = await newJob(300);
    const log = { aborted: false };
    // The renewal timer is far slower than the lease: as if this replica's event loop was stuck. The
    // runner learns it lost the job when its next write is refused.
    const running = runJob(options(id, generation(1_500, log), { leaseMs: 300, renewEveryMs: 60_000 }));
    await sleep(600, new AbortController().signal);
    expect(await opened.peer().interruptExpiredLeases()).toEqual([id]);
    expect(await running).toBe('lost');
    expect(log.aborted).toBe(true);
    const events = types(await store.readEvents(id, 0));
    expect(events.slice(0, 2)).toEqual(['state:queued', 'state:running']);
    expect(events.at(-1)).toBe('state:interrupted');
    expect(events).not.toContain('completed');
  });

  it.runIf(engine.run)('does not run a job that is no longer queued', async () => {
    const id = await newJob();
    await store.requestCancel('alice', id);
    const log = { aborted: false };
    let called = false;
    const generate = (signal: AbortSignal) => {
      called = true;
      return generation(1, log)(signal);
    };
    expect(await runJob(options(id, generate))).toBe('lost');
    expect(called).toBe(false);
  });
});
