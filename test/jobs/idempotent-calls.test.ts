/**
 * Idempotency keys end to end (DESIGN §10), on both job stores: the official OpenAI SDK retrying through
 * a connection cut mid-render produces one upstream generation and gets its images; a retry after the
 * end gets the stored result; a key reused for another request is a 422 / ALREADY_EXISTS naming it;
 * gRPC `request_id` attaches a second stream to the running generation; plain calls create no job.
 */
import OpenAI, { toFile } from 'openai';
import { Status } from 'nice-grpc';
import { ErrorInfo } from 'nice-grpc-error-details';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { collectStream, richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { startCuttingProxy, type CuttingProxy } from '../helpers/cutting-proxy.js';
import { jobStoreEnvs } from '../helpers/job-store-env.js';
import { referenceImageDataUri } from '../helpers/simulator.js';
import { seedream } from '../rest/helpers/sdk.js';

const MODEL = 'doubao-seedream-4-5-251128';

describe.each(jobStoreEnvs())('idempotency keys on the $name store', (store) => {
  let gw: TestGrpcApp;
  let proxy: CuttingProxy | undefined;
  const generations = () => (gw.app.simulator?.requests.entries() ?? []).filter((entry) => entry.path.endsWith('/images/generations'));

  beforeAll(async () => {
    // Renders take 1.5 s: long enough to cut the connection in the middle of one.
    gw = await startGrpcApp({ env: { ...store.env(), SIMULATOR_LATENCY_MS: '1500', HEARTBEAT_INTERVAL_MS: '300' } });
  });
  afterAll(async () => {
    await proxy?.close();
    await gw.close();
  });
  beforeEach(() => gw.app.simulator?.requests.clear());

  it('the OpenAI SDK (maxRetries 2) through a connection cut mid-render: one upstream generation, images delivered', async () => {
    const port = Number(new URL(gw.httpUrl).port);
    proxy = await startCuttingProxy({ host: '127.0.0.1', port }, { cutAfterMs: 500 });
    const client = new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: 'unused-open-gateway', maxRetries: 2 });
    const key = `cut-${store.name}-${Date.now()}`;
    const response = await client.images.generate(seedream({ model: MODEL, prompt: 'a lighthouse', response_format: 'url' }), { headers: { 'Idempotency-Key': key } });

    expect(proxy.connections).toBeGreaterThanOrEqual(2); // the first attempt was cut, the SDK retried
    expect(response.data).toHaveLength(1);
    const image = await fetch(response.data?.[0]?.url ?? '');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(generations()).toHaveLength(1);
  });

  it('a retry after the end gets the stored result, without a second generation', async () => {
    const client = new OpenAI({ baseURL: `${gw.httpUrl}/v1`, apiKey: 'unused-open-gateway', maxRetries: 0 });
    const options = { headers: { 'Idempotency-Key': `done-${store.name}` } };
    const params = seedream({ model: MODEL, prompt: 'a red fox', response_format: 'url' });
    const first = await client.images.generate(params, options);
    const second = await client.images.generate(params, options);
    expect(second.data?.[0]?.url).toBe(first.data?.[0]?.url);
    expect(second.usage).toEqual(first.usage);
    expect(generations()).toHaveLength(1);
  });

  it('an edit with a key (multipart, reference image) retried after the end gets the stored result', async () => {
    const client = new OpenAI({ baseURL: `${gw.httpUrl}/v1`, apiKey: 'unused-open-gateway', maxRetries: 0 });
    const png = Buffer.from(referenceImageDataUri().split(',')[1] ?? '', 'base64');
    const edit = async () =>
      client.images.edit(
        { model: MODEL, image: await toFile(png, 'photo.png', { type: 'image/png' }), prompt: 'make it night', response_format: 'url' },
        { headers: { 'Idempotency-Key': `edit-${store.name}` } },
      );
    const first = await edit();
    const second = await edit();
    expect(second.data?.[0]?.url).toBe(first.data?.[0]?.url);
    expect(generations()).toHaveLength(1);
  });

  it('the same key with a different request is a 422 naming the key, which the SDK does not retry', async () => {
    const key = `conflict-${store.name}`;
    const post = (prompt: string) =>
      fetch(`${gw.httpUrl}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ model: MODEL, prompt, response_format: 'url' }),
      });
    expect((await post('a cat')).status).toBe(200);
    const reused = await post('a dog');
    expect(reused.status).toBe(422);
    expect(reused.headers.get('x-should-retry')).toBe('false');
    const body = (await reused.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('idempotency_key_reused');
    expect(body.error.message).toContain(key);
    expect(generations()).toHaveLength(1);
  });

  it('a bad Idempotency-Key or an inline response format is a 400 naming it, before any generation', async () => {
    const post = (key: string, format: string) =>
      fetch(`${gw.httpUrl}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ model: MODEL, prompt: 'x', response_format: format }),
      });
    const spaced = await post('has a space', 'url');
    expect(spaced.status).toBe(400);
    expect(((await spaced.json()) as { error: { param: string } }).error.param).toBe('Idempotency-Key');
    const inline = await post(`inline-${store.name}`, 'b64_json');
    expect(inline.status).toBe(400);
    expect(((await inline.json()) as { error: { param: string } }).error.param).toBe('response_format');
    expect(generations()).toHaveLength(0);
  });

  it('gRPC request_id: a second stream attaches to the running generation and replays it; a different request is ALREADY_EXISTS', async () => {
    const requestId = `grpc-${store.name}-${Date.now()}`;
    const spec = testSpec({ prompt: 'two streams', responseFormat: ResponseFormat.RESPONSE_FORMAT_URL });
    const first = collectStream(gw.client.streamImages({ spec, requestId }, { metadata: gw.auth() }));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first one is rendering
    const second = collectStream(gw.client.streamImages({ spec, requestId }, { metadata: gw.auth() }));
    const [a, b] = await Promise.all([first, second]);
    const imageUrls = (events: typeof a) => events.flatMap((e) => (e.event?.$case === 'image' && e.event.value.content?.$case === 'url' ? [e.event.value.content.value] : []));
    expect(imageUrls(a)).toHaveLength(1);
    expect(imageUrls(b)).toEqual(imageUrls(a));
    expect(b.at(-1)?.event?.$case).toBe('completed');
    // The log holds no heartbeats, but an attached stream gets them while the job is silent.
    expect(b.some((e) => e.event?.$case === 'heartbeat')).toBe(true);
    expect(generations()).toHaveLength(1);

    const error = await richError(() => gw.client.generateImages({ spec: testSpec({ prompt: 'another', responseFormat: ResponseFormat.RESPONSE_FORMAT_URL }), requestId }, { metadata: gw.auth() }));
    expect(error.code).toBe(Status.ALREADY_EXISTS);
    expect(error.details).toContain(requestId);
    expect(error.extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type)?.reason).toBe('IDEMPOTENCY_CONFLICT');
    const badField = await richError(() => gw.client.generateImages({ spec: testSpec({ prompt: 'inline', responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES }), requestId: `${requestId}-b64` }, { metadata: gw.auth() }));
    expect(badField.code).toBe(Status.INVALID_ARGUMENT);
  });

  it('a keyed gRPC call survives its caller cancelling: the generation completes and a retry gets it', async () => {
    const requestId = `cancel-${store.name}-${Date.now()}`;
    const spec = testSpec({ prompt: 'cancelled caller', responseFormat: ResponseFormat.RESPONSE_FORMAT_URL });
    const controller = new AbortController();
    const abandoned = gw.client.generateImages({ spec, requestId }, { metadata: gw.auth(), signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(abandoned).rejects.toThrow();
    const retried = await gw.client.generateImages({ spec, requestId }, { metadata: gw.auth() });
    expect(retried.images).toHaveLength(1);
    const entries = generations();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.aborted).not.toBe(true);
  });

  it('a keyed call or a job over the concurrency limit is refused like a plain call, and the retry with the key generates', async () => {
    const busy = await startGrpcApp({ env: { ...store.env(), SIMULATOR_LATENCY_MS: '1500', MAX_CONCURRENT_GENERATIONS_PER_KEY: '1' } });
    try {
      const count = () => (busy.app.simulator?.requests.entries() ?? []).filter((entry) => entry.path.endsWith('/images/generations')).length;
      const post = (key: string) =>
        fetch(`${busy.httpUrl}/v1/images/generations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify({ model: MODEL, prompt: key, response_format: 'url' }),
        });
      const first = post(`first-${store.name}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const refused = await post(`second-${store.name}`);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('x-should-retry')).toBeNull(); // the SDKs retry it
      // A job over the caller's limits is refused like a plain call, not accepted (202) and failed later.
      const asJob = await fetch(`${busy.httpUrl}/v1/images/generations`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', prefer: 'respond-async' },
        body: JSON.stringify({ model: MODEL, prompt: 'as a job', response_format: 'url' }),
      });
      expect(asJob.status).toBe(429);
      const overGrpc = await richError(() => busy.client.createImageJob({ spec: testSpec(), requestId: '', webhookUrl: '' }, { metadata: busy.auth() }));
      expect(overGrpc.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect((await first).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the refused job's key is released
      const retried = await post(`second-${store.name}`);
      expect(retried.status).toBe(200);
      expect(count()).toBe(2);
    } finally {
      await busy.close();
    }
  });

  it('plain calls create no job', async () => {
    const before = (await gw.app.jobs.durable.store.list('open', {})).jobs.length;
    await gw.client.generateImages({ spec: testSpec({ prompt: 'plain' }), requestId: '' }, { metadata: gw.auth() });
    const response = await fetch(`${gw.httpUrl}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: MODEL, prompt: 'plain' }) });
    expect(response.status).toBe(200);
    expect((await gw.app.jobs.durable.store.list('open', {})).jobs).toHaveLength(before);
    expect(generations()).toHaveLength(2);
  });
});
