/**
 * The durable-generations part of the Config (DESIGN §10): which job store, its retention and lease,
 * and the webhook settings with the per-caller-key secrets and default URLs. Problems are added to the
 * list loadConfig reports, naming the variable.
 */
import type { EnvKeys } from './config-keys.js';
import type { JobsConfig } from './config-types.js';
import { createAddressPolicy } from './webhooks/address-policy.js';
import { webhookSigningKey } from './webhooks/webhook-signature.js';
import { webhookUrlProblem } from './webhooks/webhook-target.js';

/** `name=value` pairs separated by commas; the value may itself contain `=` (base64, URLs). */
function namedValues(env: string, text: string | undefined, problems: string[], check: (value: string) => string | undefined): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const [position, part] of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const at = part.indexOf('=');
    const name = at > 0 ? part.slice(0, at).trim() : '';
    const value = at > 0 ? part.slice(at + 1).trim() : '';
    // Name entries by position and key name only: a secret must not reach the log.
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || value === '') {
      problems.push(`${env}: entry ${position + 1} is not <caller key name>=<value>`);
      continue;
    }
    const problem = check(value);
    if (problem !== undefined) problems.push(`${env}: the entry of "${name}": ${problem}`);
    else map.set(name, value);
  }
  return map;
}

/** `fileRedisUrl`: the config file's Redis store (DESIGN §12), used when REDIS_URL is unset. */
export function buildJobs(e: EnvKeys, problems: string[], fileRedisUrl?: string): JobsConfig {
  const redisUrl = e.REDIS_URL ?? fileRedisUrl;
  if (e.JOB_STORE === 'redis' && redisUrl === undefined) problems.push('REDIS_URL: required when JOB_STORE=redis (or a redis store in GATEWAY_CONFIG_FILE)');
  const allowedCidrs = (e.WEBHOOK_ALLOWED_CIDRS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  try {
    createAddressPolicy(allowedCidrs);
  } catch (error) {
    problems.push(`WEBHOOK_ALLOWED_CIDRS: ${(error as Error).message}`);
  }
  const secrets = namedValues('WEBHOOK_SECRETS', e.WEBHOOK_SECRETS, problems, (value) => {
    try {
      webhookSigningKey(value);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  });
  const defaultUrls = namedValues('WEBHOOK_DEFAULT_URLS', e.WEBHOOK_DEFAULT_URLS, problems, (value) => webhookUrlProblem(value, { allowHttp: e.WEBHOOK_ALLOW_HTTP }));
  for (const name of defaultUrls.keys()) {
    if (!secrets.has(name)) problems.push(`WEBHOOK_DEFAULT_URLS: "${name}" has a default webhook URL but no secret in WEBHOOK_SECRETS`);
  }
  return {
    store: e.JOB_STORE === 'redis' && redisUrl !== undefined ? { kind: 'redis', url: redisUrl, keyPrefix: e.REDIS_KEY_PREFIX } : { kind: 'memory' },
    retentionMs: e.JOB_RETENTION_MS,
    leaseMs: e.JOB_LEASE_MS,
    sweepIntervalMs: e.JOB_SWEEP_INTERVAL_MS,
    webhooks: {
      allowedCidrs,
      allowHttp: e.WEBHOOK_ALLOW_HTTP,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      secrets,
      defaultUrls,
    },
  };
}
