import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const hash = 'a'.repeat(64);

/** loadConfig with GATEWAY_CONFIG_FILE read from memory. */
function load(files: Record<string, string>, env: Record<string, string> = {}) {
  return loadConfig(
    { GATEWAY_CONFIG_FILE: '/etc/gateway.yaml', ...env },
    {
      readFile: (path) => {
        const text = files[path];
        if (text === undefined) throw new Error('ENOENT');
        return text;
      },
    },
  );
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('the config file', () => {
  it('reads channels, callers, routing and store from YAML, secrets from env and files', () => {
    const config = load(
      {
        '/etc/gateway.yaml': `
channels:
  - name: volc
    kind: ark
    keys: [{ env: VOLC_KEY }, { file: /run/secrets/volc2 }]
    priority: 10
    imagesPerMinute: 500
  - name: byteplus
    kind: ark
    region: international
    keys: [{ env: BP_KEY }]
    models: [seedream-4-5-251128, { model: doubao-seedream-4-0, upstreamId: ep-2025-abc }]
    weight: 3
callers:
  - { name: alice, sha256: ${hash}, imagesPerMinute: 60, dailyBudget: 2.5 }
  - { name: ops, sha256: ${'b'.repeat(64)}, role: admin }
routing: { breakerFailures: 3, rateWindowMs: 5000 }
store: { kind: redis, url: "redis://:pw@127.0.0.1:6379/0" }
`,
        '/run/secrets/volc2': 'sk-volc-two\n',
      },
      { VOLC_KEY: 'sk-volc-one', BP_KEY: 'sk-bp' },
    );
    expect(config.channels.map((c) => [c.name, c.region, c.baseUrl, c.keys, c.priority, c.weight])).toEqual([
      ['volc', 'cn', 'https://ark.cn-beijing.volces.com/api/v3', ['sk-volc-one', 'sk-volc-two'], 10, 1],
      ['byteplus', 'international', 'https://ark.ap-southeast.bytepluses.com/api/v3', ['sk-bp'], 0, 3],
    ]);
    expect(config.channels[1]?.models).toEqual({ seedream_4_5: null, seedream_4_0: 'ep-2025-abc' });
    expect(config.channels[0]?.imagesPerMinute).toBe(500);
    expect(config.auth.keys.map((k) => [k.name, k.admin, k.limits])).toEqual([
      ['alice', false, { imagesPerMinute: 60, dailyBudgetMicros: 2_500_000 }],
      ['ops', true, {}],
    ]);
    expect(config.routing).toMatchObject({ breakerFailures: 3, rateWindowMs: 5000, breakerCooldownMs: 30_000 });
    expect(config.store).toEqual({ kind: 'redis', url: 'redis://:pw@127.0.0.1:6379/0', keyPrefix: 'seedream-gateway' });
    // The real channel decides the upstream summary (open mode, pricing currency).
    expect(config.upstream.kind).toBe('ark');
    expect(config.pricing.currency).toBe('CNY');
  });

  it('lists every problem at once, each with its path', () => {
    const found = problems(() =>
      load({
        '/etc/gateway.json': '',
        '/etc/gateway.yaml': JSON.stringify({
          channels: [
            { name: 'a', kind: 'ark', keys: [{ env: 'MISSING_KEY' }], models: ['seedream-9'] },
            { name: 'a', kind: 'openai-compatible', keys: [{ env: 'K' }] },
            { name: 'c', kind: 'ark', keys: [] },
          ],
        }),
      }, { K: 'x' }),
    );
    expect(found).toEqual(
      expect.arrayContaining([
        'GATEWAY_CONFIG_FILE: channels[0].keys[0]: environment variable MISSING_KEY is not set',
        'GATEWAY_CONFIG_FILE: channels[0].models[0]: "seedream-9" is not a model name of the catalog',
        'GATEWAY_CONFIG_FILE: channels[1].baseUrl: an openai-compatible channel needs its base URL (…/v1)',
        'GATEWAY_CONFIG_FILE: channels[1].name: "a" is used by another channel',
        'GATEWAY_CONFIG_FILE: channels[2].keys: ark channels need at least one key',
      ]),
    );
  });

  it('names schema problems by path, including unknown fields', () => {
    const found = problems(() =>
      load({ '/etc/gateway.yaml': 'channels:\n  - { name: x, kind: ark, keys: [{ env: K }], weight: 0, colour: red }\ncallers:\n  - { name: bob, sha256: nothex }\nstore: { kind: redis, url: http://x }\n' }, { K: 'k' }),
    );
    expect(found.some((p) => p.startsWith('GATEWAY_CONFIG_FILE: channels[0].weight:'))).toBe(true);
    expect(found.some((p) => p.startsWith('GATEWAY_CONFIG_FILE: channels[0]:') && p.includes('colour'))).toBe(true);
    expect(found).toContain('GATEWAY_CONFIG_FILE: callers[0].sha256: must be the SHA-256 of the key in hex (64 digits)');
    expect(found).toContain('GATEWAY_CONFIG_FILE: store.url: must be a redis:// or rediss:// URL');
  });

  it('reports a file that cannot be read or parsed, without quoting it', () => {
    expect(problems(() => loadConfig({ GATEWAY_CONFIG_FILE: '/nope.yaml' }, { readFile: () => { throw new Error('ENOENT'); } }))).toEqual([
      'GATEWAY_CONFIG_FILE: /nope.yaml: cannot be read',
    ]);
    expect(problems(() => load({ '/etc/gateway.yaml': 'channels: [ {' }))[0]).toMatch(/^GATEWAY_CONFIG_FILE: \/etc\/gateway.yaml: is neither JSON nor YAML/);
  });

  it('refuses upstream variables the file\'s channels would silently replace', () => {
    const found = problems(() => load({ '/etc/gateway.yaml': 'channels: [{ name: a, kind: simulator }]' }, { ARK_API_KEY: 'sk-x', UPSTREAM_KIND: 'ark' }));
    expect(found).toEqual(['GATEWAY_CONFIG_FILE: the file configures channels, so UPSTREAM_KIND, ARK_API_KEY would be ignored; remove them (or the file\'s channels)']);
    expect(JSON.stringify(found)).not.toContain('sk-x');
  });

  it('keeps the env-only configuration as one channel', () => {
    const simulator = loadConfig({});
    expect(simulator.channels).toEqual([expect.objectContaining({ name: 'default', kind: 'simulator', baseUrl: undefined, keys: [] })]);
    expect(simulator.store).toEqual({ kind: 'memory' });
    const ark = loadConfig({ ARK_API_KEY: 'sk-env', ARK_ENDPOINT_IDS: 'seedream_4_5=ep-1' });
    expect(ark.channels).toHaveLength(1);
    expect(ark.channels[0]).toMatchObject({ name: 'default', kind: 'ark', keys: ['sk-env'], baseUrl: 'https://ark.cn-beijing.volces.com/api/v3' });
    expect(ark.channels[0]?.models?.seedream_4_5).toBe('ep-1');
    expect(ark.channels[0]?.models?.seedream_3_0).toBeNull();
  });
});
