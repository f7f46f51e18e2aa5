/**
 * A finished job's webhook end to end on the in-process store: the message built from the job, sent
 * signed to a loopback receiver that fails once, and both attempts visible on the job afterwards.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryJobStore } from '../../src/jobs/memory-job-store.js';
import { createAddressPolicy } from '../../src/webhooks/address-policy.js';
import { jobWebhookMessage } from '../../src/webhooks/job-webhook-message.js';
import { newWebhookSecret } from '../../src/webhooks/webhook-signature.js';
import { createWebhookSender } from '../../src/webhooks/webhook-sender.js';

describe('job webhooks', () => {
  const bodies: unknown[] = [];
  const secret = newWebhookSecret();
  let answers = [500];
  const receiver = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      bodies.push(new Webhook(secret).verify(text, req.headers as Record<string, string>));
      res.writeHead(answers.shift() ?? 200).end();
    });
  });
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

  it('tells the receiver how the job ended and keeps every attempt on the job', async () => {
    answers = [500];
    const store = createMemoryJobStore({ retentionMs: 60_000 });
    const created = await store.create({ owner: 'alice', replicaId: 'A', leaseMs: 30_000, model: 'doubao-seedream-4-5', webhookUrl: url });
    if (created.kind !== 'created') throw new Error(created.kind);
    const { id } = created.job;
    await store.start(id, 'A');
    await store.finish(id, 'A', { state: 'succeeded', usage: { generatedImages: 1, estimatedCost: { currency: 'USD', micros: 40_000 } } });
    const job = await store.get('alice', id);
    if (job === undefined) throw new Error('job vanished');

    const message = jobWebhookMessage(job);
    const sender = createWebhookSender({
      policy: createAddressPolicy(['127.0.0.1/32']),
      allowHttp: true,
      retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
      timeoutMs: 5_000,
    });
    const result = await sender.deliver({
      url: job.webhookUrl ?? '', secret, ...message, onAttempt: (attempt) => store.recordWebhookAttempt(id, attempt),
    });

    expect(result.delivered).toBe(true);
    expect(bodies.at(-1)).toEqual({
      type: 'image.job.succeeded',
      timestamp: expect.any(String),
      data: {
        id, object: 'image.job', state: 'succeeded', model: 'doubao-seedream-4-5',
        created_at: Math.floor(job.createdAt / 1000), finished_at: Math.floor((job.finishedAt ?? 0) / 1000),
        usage: { generated_images: 1, estimated_cost: { currency: 'USD', micros: 40_000 } },
      },
    });
    const attempts = (await store.get('alice', id))?.webhookAttempts;
    expect(attempts?.map((a) => [a.attempt, a.status, a.messageId])).toEqual([
      [1, 500, `msg_${id}_succeeded`],
      [2, 200, `msg_${id}_succeeded`],
    ]);
    await store.close();
  });
});
