/**
 * Job webhooks end to end (DESIGN §10) on both job stores: a finished job POSTs a Standard Webhooks
 * message signed with its caller key's secret (verified with the independent `standardwebhooks`
 * package), retried after a 500, every attempt visible on the job; the caller key's default URL applies
 * when a job names none; a URL the gateway may not use is refused when the job is created.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Status } from 'nice-grpc';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/webhooks/webhook-signature.js';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { jobStoreEnvs } from '../helpers/job-store-env.js';

const MODEL = 'doubao-seedream-4-5-251128';

interface Delivery {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe.each(jobStoreEnvs())('job webhooks on the $name store', (store) => {
  const secret = newWebhookSecret();
  const deliveries: Delivery[] = [];
  /** Statuses to answer, in order; 200 once used up. */
  const answers: number[] = [];
  let receiver: Server;
  let receiverUrl: string;
  let gw: TestGrpcApp;

  const delivered = async (path: string, count: number) => {
    for (let waited = 0; waited < 20_000; waited += 50) {
      const matching = deliveries.filter((d) => d.path === path);
      if (matching.length >= count) return matching;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`fewer than ${count} deliveries to ${path}`);
  };
  const submit = (body: Record<string, unknown>) =>
    fetch(`${gw.httpUrl}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ model: MODEL, response_format: 'url', ...body }),
    });

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        deliveries.push({ path: request.url ?? '', headers: request.headers, body });
        response.writeHead(answers.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    gw = await startGrpcApp({
      env: {
        ...store.env(),
        SIMULATOR_LATENCY_MS: '100',
        JOB_LEASE_MS: '1000',
        JOB_SWEEP_INTERVAL_MS: '200',
        WEBHOOK_ALLOW_HTTP: 'true',
        WEBHOOK_ALLOWED_CIDRS: '127.0.0.1/32',
        WEBHOOK_SECRETS: `open=${secret}`,
        WEBHOOK_DEFAULT_URLS: `open=${receiverUrl}/default`,
      },
    });
  });
  afterAll(async () => {
    await gw.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('arrives signed, is retried after a 500, and every attempt is on the job', async () => {
    answers.push(500);
    const accepted = await submit({ prompt: 'webhook', webhook_url: `${receiverUrl}/explicit` });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const [first, second] = await delivered('/explicit', 2);
    for (const delivery of [first!, second!]) {
      const payload = new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>) as { type: string; data: { id: string; state: string } };
      expect(payload.type).toBe('image.job.succeeded');
      expect(payload.data).toMatchObject({ id, state: 'succeeded' });
    }
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(() => new Webhook(newWebhookSecret()).verify(first!.body, first!.headers as Record<string, string>)).toThrow();

    let attempts: { status?: number }[] = [];
    for (let i = 0; i < 100 && attempts.length < 2; i++) {
      const job = (await (await fetch(`${gw.httpUrl}/v1/images/jobs/${id}`)).json()) as { webhook_attempts: { status?: number }[] };
      attempts = job.webhook_attempts;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(attempts.map((a) => a.status)).toEqual([500, 200]);
    const { job } = await gw.client.getImageJob({ name: `jobs/${id}` }, { metadata: gw.auth() });
    expect(job?.webhookAttempts.map((a) => a.httpStatus)).toEqual([500, 200]);
  });

  it("a job naming no URL uses the caller key's default", async () => {
    const { id } = (await (await submit({ prompt: 'default hook' })).json()) as { id: string };
    const deliveries = await delivered('/default', 1);
    expect(deliveries.some((d) => d.body.includes(id))).toBe(true);
  });

  it('a job whose replica died is interrupted by the sweeper, which sends its webhook', async () => {
    // A job leased to a replica that never renews it (as after kill -9).
    const created = await gw.app.jobs.durable.store.create({ owner: 'open', replicaId: 'gone-replica', leaseMs: 1000, model: 'seedream_4_5', webhookUrl: `${receiverUrl}/interrupted` });
    if (created.kind !== 'created') throw new Error('expected a new job');
    const [delivery] = await delivered('/interrupted', 1);
    const payload = new Webhook(secret).verify(delivery!.body, delivery!.headers as Record<string, string>) as { type: string; data: { id: string } };
    expect(payload).toMatchObject({ type: 'image.job.interrupted', data: { id: created.job.id } });
  });

  it('a URL the gateway may not call is refused when the job is created, naming the field', async () => {
    const refused = await submit({ prompt: 'bad hook', webhook_url: 'ftp://example.com/hook' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { param: string } }).error.param).toBe('webhook_url');
    const error = await richError(() => gw.client.createImageJob({ spec: testSpec(), requestId: '', webhookUrl: 'https://user:pw@example.com/' }, { metadata: gw.auth() }));
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    expect(error.details).toContain('webhook_url');
  });
});
