/**
 * The webhook sender against a real HTTP receiver on loopback (allowed explicitly, as an operator
 * would allow an internal range), verifying every signature with the independent `standardwebhooks`
 * package.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAddressPolicy } from '../../src/webhooks/address-policy.js';
import { newWebhookSecret } from '../../src/webhooks/webhook-signature.js';
import { createWebhookSender, type WebhookSenderOptions } from '../../src/webhooks/webhook-sender.js';
import type { ResolveAll } from '../../src/webhooks/webhook-target.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** A receiver answering each request with the next scripted status (then 204). */
function startReceiver() {
  const received: Received[] = [];
  const script: { status: number; headers?: Record<string, string> }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), at: performance.now() });
      const next = script.shift() ?? { status: 204 };
      res.writeHead(next.status, next.headers).end(next.status === 204 ? undefined : 'receiver says no');
    });
  });
  return { server, received, script };
}

const secret = newWebhookSecret();
const body = JSON.stringify({ type: 'image.job.succeeded', timestamp: '2026-11-30T10:00:00.000Z', data: { id: 'j1' } });
const baseOptions: WebhookSenderOptions = {
  policy: createAddressPolicy(['127.0.0.1/32']),
  allowHttp: true,
  retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 2_000 },
  timeoutMs: 5_000,
};

function verified(request: Received): unknown {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

describe('webhook sender', () => {
  const receiver = startReceiver();
  let url: string;
  let port: number;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    port = (receiver.server.address() as AddressInfo).port;
    url = `http://127.0.0.1:${port}/hooks/seedream`;
  });
  beforeEach(() => {
    receiver.received.length = 0;
    receiver.script.length = 0;
  });
  afterAll(() => new Promise<void>((resolve) => receiver.server.close(() => resolve())));

  it('delivers a message that verifies as a Standard Webhook, and reports the attempt', async () => {
    const reported: unknown[] = [];
    const result = await createWebhookSender(baseOptions).deliver({
      url, secret, messageId: 'msg_j1_succeeded', body, onAttempt: (attempt) => void reported.push(attempt),
    });
    expect(result.delivered).toBe(true);
    expect(result.attempts).toMatchObject([{ attempt: 1, messageId: 'msg_j1_succeeded', status: 204 }]);
    expect(reported).toEqual(result.attempts);
    const [request] = receiver.received;
    expect(request?.body).toBe(body);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('msg_j1_succeeded');
    expect(verified(request as Received)).toEqual(JSON.parse(body));
  });

  it('retries on a 500 with the same message id, each attempt freshly signed', async () => {
    receiver.script.push({ status: 500 }, { status: 503 });
    const result = await createWebhookSender(baseOptions).deliver({ url, secret, messageId: 'msg_retry', body });
    expect(result.delivered).toBe(true);
    expect(result.attempts.map((a) => a.status)).toEqual([500, 503, 204]);
    expect(receiver.received.map((r) => r.headers['webhook-id'])).toEqual(['msg_retry', 'msg_retry', 'msg_retry']);
    for (const request of receiver.received) expect(verified(request)).toEqual(JSON.parse(body));
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    receiver.script.push({ status: 429, headers: { 'retry-after-ms': '600' } });
    const result = await createWebhookSender({ ...baseOptions, random: () => 0 }).deliver({ url, secret, messageId: 'm', body });
    expect(result.attempts.map((a) => a.status)).toEqual([429, 204]);
    const [first, second] = receiver.received;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(590);
  });

  it('gives up at once on a 4xx, and after the last attempt on 5xx', async () => {
    receiver.script.push({ status: 410 });
    const gone = await createWebhookSender(baseOptions).deliver({ url, secret, messageId: 'm', body });
    expect(gone).toMatchObject({ delivered: false, attempts: [{ status: 410 }] });
    receiver.script.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const broken = await createWebhookSender(baseOptions).deliver({ url, secret, messageId: 'm', body });
    expect(broken.delivered).toBe(false);
    expect(broken.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
  });

  it('retries network errors and reports them by code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await createWebhookSender(baseOptions).deliver({ url: `http://127.0.0.1:${deadPort}/`, secret, messageId: 'm', body });
    expect(result.delivered).toBe(false);
    expect(result.attempts.map((a) => a.error)).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('refuses a private or loopback target that config does not allow, without connecting or retrying', async () => {
    const strict = createWebhookSender({ ...baseOptions, policy: createAddressPolicy() });
    for (const target of [url, 'http://10.0.0.1/hooks', 'http://[::1]:9/hooks']) {
      const result = await strict.deliver({ url: target, secret, messageId: 'm', body });
      expect(result).toMatchObject({ delivered: false, attempts: [{ error: 'the webhook URL resolves to an address that webhooks may not be sent to' }] });
    }
    expect(receiver.received).toEqual([]);
  });

  it('enforces the URL rules again at delivery, without connecting or retrying', async () => {
    const httpsOnly = createWebhookSender({ ...baseOptions, allowHttp: false });
    const plain = await httpsOnly.deliver({ url, secret, messageId: 'm', body });
    expect(plain).toMatchObject({ delivered: false, attempts: [{ error: 'the webhook URL must be an https URL' }] });
    const broken = await createWebhookSender(baseOptions).deliver({ url: 'not a url', secret, messageId: 'm', body });
    expect(broken).toMatchObject({ delivered: false, attempts: [{ error: 'the webhook URL must be an absolute URL' }] });
    expect(receiver.received).toEqual([]);
  });

  it('refuses a host name that resolves to a refused address, even next to an allowed one', async () => {
    const resolveAll: ResolveAll = async (hostname) =>
      hostname === 'metadata.example.test'
        ? [{ address: '169.254.169.254', family: 4 }]
        : [{ address: '127.0.0.1', family: 4 }, { address: '10.0.0.7', family: 4 }];
    const sender = createWebhookSender({ ...baseOptions, resolveAll });
    for (const host of ['metadata.example.test', 'mixed.example.test']) {
      const result = await sender.deliver({ url: `http://${host}:${port}/`, secret, messageId: 'm', body });
      expect(result.delivered, host).toBe(false);
      expect(result.attempts).toHaveLength(1);
    }
    expect(receiver.received).toEqual([]);
  });

  it('resolves once per attempt and connects to the address it checked, not to a fresh DNS answer', async () => {
    // The name exists in no DNS: the request can only arrive if the connection used the checked
    // address. A resolver that would answer differently the next time is asked once per attempt.
    const answers = ['127.0.0.1', '10.0.0.1'];
    const asked: string[] = [];
    const resolveAll: ResolveAll = async (hostname) => {
      asked.push(hostname);
      return [{ address: answers.shift() ?? '10.0.0.1', family: 4 }];
    };
    const result = await createWebhookSender({ ...baseOptions, resolveAll }).deliver({
      url: `http://hooks.rebind.test:${port}/x`, secret, messageId: 'm', body,
    });
    expect(result.delivered).toBe(true);
    expect(asked).toEqual(['hooks.rebind.test']);
    expect(receiver.received[0]?.headers.host).toBe(`hooks.rebind.test:${port}`);
  });

  it('stops retrying when delivery is aborted', async () => {
    receiver.script.push({ status: 500 }, { status: 500 });
    const abort = new AbortController();
    const sender = createWebhookSender({ ...baseOptions, retry: { maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, random: () => 1 });
    const delivering = sender.deliver({ url, secret, messageId: 'm', body, signal: abort.signal });
    // Abort while it waits for the second attempt.
    await vi.waitFor(() => expect(receiver.received).toHaveLength(1), { timeout: 5_000 });
    abort.abort();
    const result = await delivering;
    expect(result).toMatchObject({ delivered: false, attempts: [{ status: 500 }] });
  });
});
