/**
 * Image hosting configuration: local by default with a 7-day retention, the S3 settings, the default
 * download allow-list per upstream, and every problem named by its variable.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { problemsOf } from '../helpers/config-problems.js';

describe('image hosting configuration', () => {
  it('hosts locally under ./data by default, for 7 days, with a random key and the bound address', () => {
    const { hosting } = loadConfig({});
    expect(hosting.store).toEqual({ kind: 'local', dataDir: './data', signingKey: undefined, diskCapBytes: 10 * 1024 ** 3, publicBaseUrl: undefined });
    expect(hosting.retentionMs).toBe(7 * 24 * 3600_000);
    expect(hosting.storeInline).toBe(false);
    expect(hosting.fetch).toEqual({ allowedHosts: [], maxBytes: 64 * 1024 * 1024, timeoutMs: 60_000 });
  });

  it('allows the upstream’s own image hosts by default, and exactly the listed ones when set', () => {
    expect(loadConfig({ ARK_API_KEY: 'k', GATEWAY_ALLOW_OPEN: 'true' }).hosting.fetch.allowedHosts).toEqual(['*.volces.com', '*.bytepluses.com']);
    const relay = loadConfig({ UPSTREAM_KIND: 'openai-compatible', OPENAI_COMPATIBLE_BASE_URL: 'https://Relay.example.com:8443/v1', OPENAI_COMPATIBLE_API_KEY: 'k' });
    expect(relay.hosting.fetch.allowedHosts).toEqual(['relay.example.com:8443']);
    expect(loadConfig({ IMAGE_FETCH_ALLOWED_HOSTS: ' CDN.example.com , *.tos.example.com,127.0.0.1:9000' }).hosting.fetch.allowedHosts).toEqual([
      'cdn.example.com',
      '*.tos.example.com',
      '127.0.0.1:9000',
    ]);
  });

  it('reads the S3 settings, and turns hosting off', () => {
    const { hosting } = loadConfig({
      IMAGE_HOSTING: 's3',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_BUCKET: 'images',
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: 'id',
      S3_SECRET_ACCESS_KEY: 'secret',
      S3_PUBLIC_BASE_URL: 'https://cdn.example.com/',
    });
    expect(hosting.store).toEqual({
      kind: 's3',
      endpoint: 'http://127.0.0.1:9000',
      region: 'us-east-1',
      bucket: 'images',
      prefix: 'images/',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      publicBaseUrl: 'https://cdn.example.com',
    });
    expect(loadConfig({ IMAGE_HOSTING: 'off' }).hosting.store).toEqual({ kind: 'off' });
  });

  it('names every hosting problem by its variable', () => {
    expect(problemsOf({ IMAGE_HOSTING: 's3', S3_ACCESS_KEY_ID: 'id' })).toEqual([
      'S3_BUCKET: required when IMAGE_HOSTING is s3',
      'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither',
    ]);
    const problems = problemsOf({ IMAGE_HOSTING: 'disk', IMAGE_SIGNING_KEY: 'short', IMAGE_RETENTION_MS: '10', IMAGE_FETCH_ALLOWED_HOSTS: 'http://x.com/path' });
    expect(problems).toEqual([
      expect.stringMatching(/^IMAGE_HOSTING: /),
      expect.stringMatching(/^IMAGE_RETENTION_MS: must be a whole number/),
      'IMAGE_SIGNING_KEY: must be at least 32 characters',
      'IMAGE_FETCH_ALLOWED_HOSTS: "http://x.com/path" is not a host, host:port or *.domain',
    ]);
  });
});
