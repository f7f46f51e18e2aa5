/**
 * Jobs end to end (DESIGN §10) on both job stores: `Prefer: respond-async` and `wait=N`, GET, the SSE
 * event log with Last-Event-ID resume, cancel, paged listing; a job created over REST watched over gRPC
 * and the other way round; a job outliving its creator's connection; callers seeing only their jobs.
 */
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageJob_State } from '../../gen/seedream/v1/image_jobs.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { collectStream, richError, startGrpcApp, testSpec, TEST_KEY, TEST_KEY_NAME, type TestGrpcApp } from '../helpers/grpc-app.js';
import { jobStoreEnvs } from '../helpers/job-store-env.js';

const MODEL = 'doubao-seedream-4-5-251128';
const OTHER_KEY = 'sk-gateway-test-key-0002';

interface SseFrame {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

function parseSse(text: string): SseFrame[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const line = (name: string) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
      return { id: Number(line('id')), event: line('event'), data: JSON.parse(line('data')) as Record<string, unknown> };
    });
}

describe.each(jobStoreEnvs())('jobs on the $name store', (store) => {
  let gw: TestGrpcApp;
  const generations = () => (gw.app.simulator?.requests.entries() ?? []).filter((entry) => entry.path.endsWith('/images/generations'));
  const rest = (path: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${gw.httpUrl}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${init.key ?? TEST_KEY}`, ...(init.body !== undefined && { 'content-type': 'application/json' }), ...(init.headers as Record<string, string>) },
    });
  const submit = (prompt: string, headers: Record<string, string> = { prefer: 'respond-async' }, signal?: AbortSignal) =>
    rest('/v1/images/generations', { method: 'POST', headers, body: JSON.stringify({ model: MODEL, prompt, response_format: 'url' }), ...(signal && { signal }) });
  const untilEnded = async (id: string) => {
    for (;;) {
      const job = (await (await rest(`/v1/images/jobs/${id}`)).json()) as Record<string, unknown>;
      if (!['queued', 'running'].includes(job.state as string)) return job;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    gw = await startGrpcApp({
      env: { ...store.env(), SIMULATOR_LATENCY_MS: '1000', GATEWAY_API_KEYS: `${TEST_KEY_NAME}=${hashApiKey(TEST_KEY)},other=${hashApiKey(OTHER_KEY)}` },
    });
  });
  afterAll(() => gw.close());

  it('Prefer: respond-async answers 202 with Location; the job ends succeeded with the images by URL', async () => {
    const accepted = await submit('async lighthouse');
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('preference-applied')).toBe('respond-async');
    const job = (await accepted.json()) as { id: string; state: string; object: string };
    expect(accepted.headers.get('location')).toBe(`/v1/images/jobs/${job.id}`);
    expect(job.object).toBe('image.job');
    expect(['queued', 'running']).toContain(job.state);

    const done = (await untilEnded(job.id)) as { state: string; result: { data: { url: string }[] }; usage: { generated_images: number } };
    expect(done.state).toBe('succeeded');
    expect(done.usage.generated_images).toBe(1);
    expect((await fetch(done.result.data[0]?.url ?? '')).status).toBe(200);
  });

  it('the SSE event log replays from the start and resumes after Last-Event-ID', async () => {
    const { id } = (await (await submit('sse fox')).json()) as { id: string };
    const all = parseSse(await (await rest(`/v1/images/jobs/${id}/events`)).text());
    expect(all.map((f) => f.event)).toEqual(['state', 'state', 'image', 'completed', 'state']);
    expect(all.map((f) => f.id)).toEqual([1, 2, 3, 4, 5]);
    expect(all.at(-1)?.data).toMatchObject({ state: 'succeeded' });
    expect(all[2]?.data.url).toMatch(/^http/);
    const resumed = parseSse(await (await rest(`/v1/images/jobs/${id}/events`, { headers: { 'last-event-id': '3' } })).text());
    expect(resumed.map((f) => f.id)).toEqual([4, 5]);
  });

  it('a job created over REST is watched over gRPC, and one created over gRPC is read over REST', async () => {
    const { id } = (await (await submit('rest to grpc')).json()) as { id: string };
    const watched = await collectStream(gw.client.watchImageJob({ name: `jobs/${id}`, afterSequence: 0 }, { metadata: gw.auth() }));
    expect(watched.map((m) => m.event?.$case)).toEqual(['stateChange', 'stateChange', 'image', 'completed', 'stateChange']);
    const last = watched.at(-1)?.event;
    expect(last?.$case === 'stateChange' && last.value.state).toBe(ImageJob_State.STATE_SUCCEEDED);

    const created = await gw.client.createImageJob({ spec: testSpec({ prompt: 'grpc to rest' }), requestId: '', webhookUrl: '' }, { metadata: gw.auth() });
    const name = created.job?.name ?? '';
    expect(name).toMatch(/^jobs\//);
    const frames = parseSse(await (await rest(`/v1/images/jobs/${name.slice(5)}/events`)).text());
    expect(frames.map((f) => f.event)).toEqual(['state', 'state', 'image', 'completed', 'state']);
    const { job } = await gw.client.getImageJob({ name }, { metadata: gw.auth() });
    expect(job?.state).toBe(ImageJob_State.STATE_SUCCEEDED);
    expect(job?.images).toHaveLength(1);
    expect(job?.images[0]?.content?.$case).toBe('url');
  });

  it('Prefer: wait=N answers the result when it is done in time, else 202 with the running job', async () => {
    const quick = await submit('waited', { prefer: 'wait=30' });
    expect(quick.status).toBe(200);
    expect(((await quick.json()) as { data: unknown[] }).data).toHaveLength(1);
    const slow = await rest('/v1/images/generations', { method: 'POST', headers: { prefer: 'wait=0' }, body: JSON.stringify({ model: MODEL, prompt: 'not waited', response_format: 'url' }) });
    expect(slow.status).toBe(202);
    expect(slow.headers.get('preference-applied')).toBe('wait=0');
    const job = (await slow.json()) as { id: string };
    expect(((await untilEnded(job.id)) as { state: string }).state).toBe('succeeded');
  });

  it('a job outlives the connection that created it', async () => {
    const before = generations().length;
    const controller = new AbortController();
    const waiting = submit('abandoned', { prefer: 'wait=60', 'idempotency-key': `gone-${store.name}` }, controller.signal);
    void waiting.catch(() => undefined);
    setTimeout(() => controller.abort(), 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const listed = (await (await rest('/v1/images/jobs?page_size=1')).json()) as { data: { id: string; idempotency_key: string }[] };
    expect(listed.data[0]?.idempotency_key).toBe(`gone-${store.name}`);
    expect(((await untilEnded(listed.data[0]?.id ?? '')) as { state: string }).state).toBe('succeeded');
    expect(generations().length).toBe(before + 1);
  });

  it('cancel stops a running job and its upstream request', async () => {
    gw.app.simulator?.faults.enqueue({ kind: 'delay-headers', ms: 20_000 });
    const { id } = (await (await submit('cancel me')).json()) as { id: string };
    await new Promise((resolve) => setTimeout(resolve, 200));
    const cancelled = await rest(`/v1/images/jobs/${id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const job = (await untilEnded(id)) as { state: string; error: { code: string } };
    expect(job.state).toBe('cancelled');
    const upstream = await gw.app.simulator!.requests.waitFor((entry) => entry.body !== undefined && JSON.stringify(entry.body).includes('cancel me'));
    expect(upstream.aborted).toBe(true);
    const { job: seen } = await gw.client.cancelImageJob({ name: `jobs/${id}` }, { metadata: gw.auth() });
    expect(seen?.state).toBe(ImageJob_State.STATE_CANCELLED);
  });

  it('lists own jobs newest first with page tokens; other callers get 404 / NOT_FOUND', async () => {
    const first = (await (await rest('/v1/images/jobs?page_size=2')).json()) as { data: { id: string }[]; next_page_token: string };
    expect(first.data).toHaveLength(2);
    expect(first.data[0]!.id > first.data[1]!.id).toBe(true);
    const second = (await (await rest(`/v1/images/jobs?page_size=2&page_token=${first.next_page_token}`)).json()) as { data: { id: string }[] };
    expect(second.data[0]!.id < first.data[1]!.id).toBe(true);
    const grpcPage = await gw.client.listImageJobs({ pageSize: 2, pageToken: '' }, { metadata: gw.auth() });
    expect(grpcPage.jobs.map((j) => j.name)).toEqual(first.data.map((j) => `jobs/${j.id}`));

    const id = first.data[0]!.id;
    const foreign = await rest(`/v1/images/jobs/${id}`, { key: OTHER_KEY });
    expect(foreign.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe('job_not_found');
    expect((await rest(`/v1/images/jobs/${id}/cancel`, { method: 'POST', key: OTHER_KEY })).status).toBe(404);
    expect(((await (await rest('/v1/images/jobs', { key: OTHER_KEY })).json()) as { data: unknown[] }).data).toEqual([]);
    const error = await richError(() => gw.client.getImageJob({ name: `jobs/${id}` }, { metadata: gw.auth(OTHER_KEY) }));
    expect(error.code).toBe(Status.NOT_FOUND);
    const badName = await richError(() => gw.client.getImageJob({ name: 'nope' }, { metadata: gw.auth() }));
    expect(badName.code).toBe(Status.INVALID_ARGUMENT);
    expect((await rest('/v1/images/jobs?page_token=forged')).status).toBe(400);
  });
});
