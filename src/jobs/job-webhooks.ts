/**
 * Webhooks of finished jobs (DESIGN §10, §9): which URL a job may name, the caller key's default URL
 * and secret, and the signed delivery (Standard Webhooks) with retries, every attempt kept on the job.
 */
import type { JobsConfig } from '../config-types.js';
import type { Logger } from '../telemetry/logger.js';
import { createAddressPolicy } from '../webhooks/address-policy.js';
import { jobWebhookMessage } from '../webhooks/job-webhook-message.js';
import { createWebhookSender, type WebhookSender } from '../webhooks/webhook-sender.js';
import { webhookUrlProblem, type ResolveAll } from '../webhooks/webhook-target.js';
import type { JobStore } from './job-store.js';

export interface JobWebhooks {
  /** Why `url` cannot be a webhook target (for INVALID_ARGUMENT), or undefined. */
  urlProblem(url: string): string | undefined;
  hasSecret(owner: string): boolean;
  defaultUrlOf(owner: string): string | undefined;
  /** Sends the webhook of the owner's finished job, if it has a URL; resolves when delivery ends. */
  sendFor(owner: string, jobId: string): Promise<void>;
  /** Stops retrying deliveries in progress. */
  close(): void;
}

/** Backoff between attempts: 1 s doubling up to 60 s, with full jitter (the core's retry rule). */
const webhookBackoff = { baseDelayMs: 1000, maxDelayMs: 60_000 };

export function createJobWebhooks(
  config: JobsConfig['webhooks'],
  store: JobStore,
  logger: Logger,
  options: { readonly resolveAll?: ResolveAll; readonly sender?: WebhookSender } = {},
): JobWebhooks {
  const stop = new AbortController();
  const sender =
    options.sender ??
    createWebhookSender({
      policy: createAddressPolicy(config.allowedCidrs),
      allowHttp: config.allowHttp,
      retry: { maxAttempts: config.maxAttempts, ...webhookBackoff },
      timeoutMs: config.timeoutMs,
      ...(options.resolveAll && { resolveAll: options.resolveAll }),
    });
  return {
    urlProblem: (url) => webhookUrlProblem(url, { allowHttp: config.allowHttp }),
    hasSecret: (owner) => config.secrets.has(owner),
    defaultUrlOf: (owner) => config.defaultUrls.get(owner),
    async sendFor(owner, jobId) {
      const secret = config.secrets.get(owner);
      const job = await store.get(owner, jobId);
      if (job?.webhookUrl === undefined || secret === undefined) return;
      const message = jobWebhookMessage(job);
      const result = await sender.deliver({
        url: job.webhookUrl,
        secret,
        messageId: message.messageId,
        body: message.body,
        signal: stop.signal,
        onAttempt: (attempt) => store.recordWebhookAttempt(jobId, attempt),
      });
      const last = result.attempts.at(-1);
      logger.info({ job: jobId, keyName: owner, delivered: result.delivered, attempts: result.attempts.length, status: last?.status, error: last?.error }, 'job webhook');
    },
    close: () => stop.abort(),
  };
}
