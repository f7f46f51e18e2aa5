/**
 * Delivers one signed webhook message (DESIGN §10): Standard Webhooks headers, the target resolved and
 * checked per attempt and connected to the checked address, retried with exponential backoff and
 * jitter on network errors, timeouts, 5xx and 429 (honouring Retry-After), every attempt reported to
 * `onAttempt` so the job can show it. A 2xx is success; any other answer is final. Redirects are not
 * followed: a redirect could lead past the address check.
 */
import { request } from 'undici';
import { GatewayError } from '../errors.js';
import type { WebhookAttempt } from '../jobs/job-types.js';
import { retryDelay, sleep, type RetryPolicy } from '../service/retry-policy.js';
import { parseRetryAfter } from '../upstream/retry-after.js';
import type { WebhookAddressPolicy } from './address-policy.js';
import { pinnedAgent } from './pinned-agent.js';
import { webhookSignature, webhookSigningKey } from './webhook-signature.js';
import {
  resolveWebhookTarget,
  systemResolveAll,
  webhookUrlProblem,
  WebhookTargetRefused,
  type ResolveAll,
} from './webhook-target.js';

export interface WebhookSenderOptions {
  readonly policy: WebhookAddressPolicy;
  /** Whether plain-http URLs may be used (the URL rules are enforced again at delivery). */
  readonly allowHttp: boolean;
  /** Attempts per delivery (including the first), backoff base and cap. */
  readonly retry: RetryPolicy;
  /** Per attempt: connect, headers and body each (ms). */
  readonly timeoutMs: number;
  readonly resolveAll?: ResolveAll;
  /** Injected for tests: jitter source and clock (epoch ms). */
  readonly random?: () => number;
  readonly now?: () => number;
}

export interface WebhookDelivery {
  readonly url: string;
  /** The receiver's `whsec_` secret. */
  readonly secret: string;
  /** `webhook-id`: the same on every attempt, so receivers can drop duplicates. */
  readonly messageId: string;
  /** The JSON payload, signed and sent byte for byte. */
  readonly body: string;
  /** Stops retrying (gateway shutdown); an attempt in flight is aborted. */
  readonly signal?: AbortSignal;
  readonly onAttempt?: (attempt: WebhookAttempt) => void | Promise<void>;
}

export interface WebhookDeliveryResult {
  readonly delivered: boolean;
  readonly attempts: readonly WebhookAttempt[];
}

export interface WebhookSender {
  deliver(delivery: WebhookDelivery): Promise<WebhookDeliveryResult>;
}

/** Read at most this much of a receiver's answer; it is not used. */
const maxResponseBytes = 16 * 1024;

/** What went wrong in words a caller may see: an error code, never an address. */
function attemptError(error: unknown): string {
  if (error instanceof WebhookTargetRefused) return error.message;
  if (error instanceof Error && error.name === 'TimeoutError') return 'timed out';
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : 'network error';
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const resolveAll = options.resolveAll ?? systemResolveAll;

  async function attemptOnce(delivery: WebhookDelivery, key: Buffer, signal: AbortSignal) {
    const problem = webhookUrlProblem(delivery.url, { allowHttp: options.allowHttp });
    if (problem !== undefined) throw new WebhookTargetRefused(`the webhook URL ${problem}`);
    const target = await resolveWebhookTarget(new URL(delivery.url), options.policy, resolveAll);
    const agent = pinnedAgent(target, options.timeoutMs);
    try {
      const timestamp = Math.floor(now() / 1000);
      const response = await request(target.url, {
        method: 'POST',
        dispatcher: agent,
        signal: AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs)]),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'seedream-gateway-webhooks',
          'webhook-id': delivery.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignature(key, delivery.messageId, timestamp, delivery.body),
        },
        body: delivery.body,
      });
      await response.body.dump({ limit: maxResponseBytes }).catch(() => {});
      const header = (name: string) => {
        const value = response.headers[name];
        return Array.isArray(value) ? value[0] : value;
      };
      return { status: response.statusCode, retryAfterMs: parseRetryAfter(header('retry-after'), header('retry-after-ms')) };
    } finally {
      await agent.destroy();
    }
  }

  return {
    async deliver(delivery) {
      const key = webhookSigningKey(delivery.secret);
      const signal = delivery.signal ?? new AbortController().signal;
      const attempts: WebhookAttempt[] = [];
      for (let attempt = 1; ; attempt++) {
        const at = now();
        let status: number | undefined;
        let retryAfterMs: number | undefined;
        let failure: unknown;
        try {
          ({ status, retryAfterMs } = await attemptOnce(delivery, key, signal));
        } catch (error) {
          failure = error;
        }
        const record: WebhookAttempt = {
          attempt,
          messageId: delivery.messageId,
          at,
          durationMs: now() - at,
          ...(status !== undefined ? { status } : { error: attemptError(failure) }),
        };
        attempts.push(record);
        await delivery.onAttempt?.(record);
        if (status !== undefined && status >= 200 && status < 300) return { delivered: true, attempts };
        const retryable =
          status === undefined ? !(failure instanceof WebhookTargetRefused) && !signal.aborted : status >= 500 || status === 429;
        const outcome = new GatewayError('UPSTREAM_UNAVAILABLE', 'webhook attempt failed', { retryable, retryAfterMs });
        const delay = retryDelay(options.retry, attempt, outcome, random);
        if (delay === undefined) return { delivered: false, attempts };
        try {
          await sleep(delay, signal);
        } catch {
          return { delivered: false, attempts };
        }
      }
    },
  };
}
