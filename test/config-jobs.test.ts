/** The durable-generations configuration (DESIGN §10): defaults, the Redis store, webhook secrets and URLs. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { newWebhookSecret } from '../src/webhooks/webhook-signature.js';
import { problemsOf } from './helpers/config-problems.js';

describe('jobs configuration', () => {
  it('defaults to the in-process store, 24 h retention, a 30 s lease and no webhooks', () => {
    const { jobs } = loadConfig({});
    expect(jobs).toMatchObject({ store: { kind: 'memory' }, retentionMs: 86_400_000, leaseMs: 30_000, sweepIntervalMs: 5000 });
    expect(jobs.webhooks).toMatchObject({ allowHttp: false, maxAttempts: 5, allowedCidrs: [] });
    expect(jobs.webhooks.secrets.size).toBe(0);
  });

  it('uses Redis with REDIS_URL, and names REDIS_URL when it is missing', () => {
    expect(loadConfig({ JOB_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6380/2' }).jobs.store).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6380/2', keyPrefix: 'seedream:' });
    expect(problemsOf({ JOB_STORE: 'redis' })).toEqual([expect.stringMatching(/^REDIS_URL: required when JOB_STORE=redis/)]);
    expect(problemsOf({ REDIS_URL: 'http://example.com' })).toEqual([expect.stringMatching(/^REDIS_URL: must be a redis:\/\//)]);
  });

  it('reads per-key webhook secrets and default URLs, naming bad entries by key name and never echoing a secret', () => {
    const secret = newWebhookSecret();
    const { webhooks } = loadConfig({ WEBHOOK_SECRETS: `web=${secret}`, WEBHOOK_DEFAULT_URLS: 'web=https://hooks.example/jobs' }).jobs;
    expect(webhooks.secrets.get('web')).toBe(secret);
    expect(webhooks.defaultUrls.get('web')).toBe('https://hooks.example/jobs');

    const problems = problemsOf({ WEBHOOK_SECRETS: 'web=whsec_not-base64!!,ops=plain', WEBHOOK_DEFAULT_URLS: 'batch=https://hooks.example/x,web=ftp://x' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WEBHOOK_SECRETS: the entry of "web": /),
        expect.stringMatching(/^WEBHOOK_SECRETS: the entry of "ops": /),
        expect.stringMatching(/^WEBHOOK_DEFAULT_URLS: the entry of "web": /),
        expect.stringMatching(/^WEBHOOK_DEFAULT_URLS: "batch" has a default webhook URL but no secret/),
      ]),
    );
    expect(problems.join('\n')).not.toContain('not-base64');
    expect(problemsOf({ WEBHOOK_ALLOWED_CIDRS: '10.0.0.0/8,not-a-range' })).toEqual([expect.stringMatching(/^WEBHOOK_ALLOWED_CIDRS: /)]);
  });
});
