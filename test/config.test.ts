import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeyDocs, loadConfig } from '../src/config.js';
import { problemsOf } from './helpers/config-problems.js';

const sha = (key: string) => createHash('sha256').update(key).digest('hex');


describe('loadConfig', () => {
  it('gives a working default: the embedded simulator, open, documented ports', () => {
    const config = loadConfig({});
    expect(config.upstream).toEqual({ kind: 'simulator', region: 'cn' });
    expect(config.server.grpcPort).toBe(50051);
    expect(config.server.httpPort).toBe(8080);
    expect(config.auth.keys).toEqual([]);
    expect(config.pricing.currency).toBe('USD');
    // Sized for 14 reference images of the default 10 MB limit.
    expect(config.server.grpcMaxReceiveMessageBytes).toBeGreaterThan(14 * 10_000_000);
    expect(config.server.httpBodyLimitBytes).toBeGreaterThan((14 * 10_000_000 * 4) / 3);
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('selects the Ark upstream when ARK_API_KEY is set, with the region from the base URL', () => {
    const cn = loadConfig({ ARK_API_KEY: 'k' });
    expect(cn.upstream).toMatchObject({ kind: 'ark', region: 'cn', baseUrl: 'https://ark.cn-beijing.volces.com/api/v3' });
    expect(cn.pricing.currency).toBe('CNY');
    const intl = loadConfig({ ARK_API_KEY: 'k', ARK_BASE_URL: 'https://ark.ap-southeast.bytepluses.com/api/v3/' });
    expect(intl.upstream).toMatchObject({ kind: 'ark', region: 'international', baseUrl: 'https://ark.ap-southeast.bytepluses.com/api/v3' });
    expect(intl.pricing.currency).toBe('USD');
  });

  it('reads the Ark key from a file', () => {
    const config = loadConfig({ ARK_API_KEY_FILE: '/run/secrets/ark' }, { readFile: () => 'secret-from-file\n' });
    expect(config.upstream).toMatchObject({ kind: 'ark', apiKey: 'secret-from-file' });
  });

  it('parses caller keys from env and file, names kept, hashes as bytes', () => {
    const file = JSON.stringify([{ name: 'batch', sha256: sha('k2') }]);
    const config = loadConfig({ GATEWAY_API_KEYS: `web=${sha('k1')}, mobile:${sha('k3')}`, GATEWAY_API_KEYS_FILE: '/keys.json' }, { readFile: () => file });
    expect(config.auth.keys.map((k) => k.name)).toEqual(['web', 'mobile', 'batch']);
    expect(config.auth.keys[0]?.sha256.equals(createHash('sha256').update('k1').digest())).toBe(true);
  });

  it('parses endpoint ids, price overrides and OTLP settings', () => {
    const config = loadConfig({
      ARK_API_KEY: 'k',
      ARK_ENDPOINT_IDS: 'seedream_4_5=ep-20251201-abc,seedream_3_0=ep-1',
      MODEL_PRICES: '{"seedream_4_5":{"perImage":0.05},"seedream_5_0_pro":{"perImage":0.04,"large":{"minPixels":3000000,"perImage":0.08}}}',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-token=a%3Db,tenant=t1',
    });
    expect(config.upstream).toMatchObject({ endpointIds: { seedream_4_5: 'ep-20251201-abc', seedream_3_0: 'ep-1' } });
    expect(config.pricing.overrides.seedream_4_5).toEqual({ perImageMicros: 50_000 });
    expect(config.pricing.overrides.seedream_5_0_pro?.large).toEqual({ minPixels: 3_000_000, perImageMicros: 80_000 });
    expect(config.telemetry.tracesEndpoint).toBe('http://127.0.0.1:4318/v1/traces');
    expect(config.telemetry.metricsEndpoint).toBe('http://127.0.0.1:4318/v1/metrics');
    expect(config.telemetry.headers).toEqual({ 'x-token': 'a=b', tenant: 't1' });
  });

  it('treats blank values as unset', () => {
    expect(loadConfig({ GRPC_PORT: '', ARK_API_KEY: '  ' }).server.grpcPort).toBe(50051);
  });

  it.each([
    ['GRPC_PORT', 'abc', 'GRPC_PORT: must be a whole number from 0 to 65535'],
    ['HTTP_PORT', '65536', 'HTTP_PORT: must be a whole number from 0 to 65535'],
    ['MAX_N', '0', 'MAX_N: must be a whole number from 1 to 100'],
    ['RETRY_MAX_ATTEMPTS', '2.5', 'RETRY_MAX_ATTEMPTS: must be a whole number from 1 to 10'],
    ['GATEWAY_ALLOW_OPEN', 'maybe', 'GATEWAY_ALLOW_OPEN: must be true or false'],
    ['UPSTREAM_KIND', 'dalle', 'UPSTREAM_KIND:'],
    ['ARK_BASE_URL', 'ftp://ark', 'ARK_BASE_URL: must be an http(s) URL'],
    ['ARK_REGION', 'eu', 'ARK_REGION:'],
    ['GATEWAY_API_KEYS', 'web=not-a-hash', 'GATEWAY_API_KEYS: entry 1 is not name=<SHA-256 hex of the key>'],
    ['ARK_ENDPOINT_IDS', 'seedream_9=ep-1', 'ARK_ENDPOINT_IDS: "seedream_9=ep-1" is not <model key>=ep-<endpoint id>'],
    ['MODEL_PRICES', '{"seedream_4_5":{"perImage":-1}}', 'MODEL_PRICES: invalid price table'],
    ['MODEL_PRICES', 'cheap', 'MODEL_PRICES: must be JSON'],
    ['PRICE_CURRENCY', 'usd', 'PRICE_CURRENCY: must be an ISO 4217 code'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc', 'OTEL_EXPORTER_OTLP_PROTOCOL:'],
    ['OTEL_EXPORTER_OTLP_HEADERS', 'novalue', 'OTEL_EXPORTER_OTLP_HEADERS: must be key=value pairs'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL:'],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it.each([
    [{ UPSTREAM_KIND: 'ark' }, 'ARK_API_KEY: required when UPSTREAM_KIND is ark'],
    [{ UPSTREAM_KIND: 'openai-compatible', OPENAI_COMPATIBLE_API_KEY: 'k' }, 'OPENAI_COMPATIBLE_BASE_URL: required'],
    [{ UPSTREAM_KIND: 'openai-compatible', OPENAI_COMPATIBLE_BASE_URL: 'http://127.0.0.1:9/v1' }, 'OPENAI_COMPATIBLE_API_KEY: required'],
    [{ MAX_N: '50' }, 'MAX_IMAGES_PER_REQUEST (30) must be at least MAX_N (50)'],
    [{ RETRY_BASE_DELAY_MS: '5000', RETRY_MAX_DELAY_MS: '100' }, 'RETRY_MAX_DELAY_MS must be at least RETRY_BASE_DELAY_MS'],
    [{ GATEWAY_API_KEYS: `a=${sha('1')},a=${sha('2')}` }, 'key name "a" is used twice'],
  ])('rejects inconsistent settings: %o', (env, message) => {
    const problems = problemsOf(env);
    expect(problems.join('\n')).toContain(message);
  });

  it('reports unreadable and malformed key files', () => {
    expect(problemsOf({ GATEWAY_API_KEYS_FILE: '/nope' }, () => { throw new Error('ENOENT'); })).toEqual(['GATEWAY_API_KEYS_FILE: cannot read /nope']);
    expect(problemsOf({ GATEWAY_API_KEYS_FILE: '/k' }, () => '[{"name":"x"}]')[0]).toContain('must be a JSON array');
    expect(problemsOf({ ARK_API_KEY_FILE: '/k' }, () => '\n')).toEqual(['ARK_API_KEY_FILE: /k is empty']);
  });

  it('reports every problem at once, parse errors and inconsistencies together', () => {
    const problems = problemsOf({ GRPC_PORT: '-1', HTTP_PORT: 'x', LOG_LEVEL: 'loud', UPSTREAM_KIND: 'ark', MAX_N: '50' });
    const named = problems.map((p) => p.split(/[: ]/)[0]);
    expect(named.sort()).toEqual(['ARK_API_KEY', 'GRPC_PORT', 'HTTP_PORT', 'LOG_LEVEL', 'MAX_IMAGES_PER_REQUEST']);
  });

  it('never echoes a secret value in a problem', () => {
    const problems = problemsOf({ GATEWAY_API_KEYS: 'web=supersecretplaintextkeythatisnotahash' });
    expect(problems.join()).not.toContain('supersecretplaintextkeythatisnotahash');
  });
});

describe('configuration documentation', () => {
  it('README documents every key with its default', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = configKeyDocs.filter((doc) => !readme.includes(`| \`${doc.env}\` |`));
    expect(missing.map((d) => d.env)).toEqual([]);
  });
});
