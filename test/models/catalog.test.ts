import { describe, expect, it } from 'vitest';
import { modelCatalog } from '../../src/models/catalog.js';
import { findModel, modelByKey, modelNames, upstreamModelId } from '../../src/models/lookup.js';
import { createPriceTable } from '../../src/models/pricing.js';
import { aspectHintFromPrompt, formatSize, parseDimensions, parseSize, sizeProblem, tierDimensions } from '../../src/models/sizes.js';

describe('model names', () => {
  it.each([
    ['doubao-seedream-3-0-t2i-250415', 'seedream_3_0'],
    ['seedream-3-0-t2i-250415', 'seedream_3_0'],
    ['doubao-seedream-4-0-250828', 'seedream_4_0'],
    ['doubao-seedream-4-0', 'seedream_4_0'],
    ['seedream-4-0-250828', 'seedream_4_0'],
    ['doubao-seedream-4-5-251128', 'seedream_4_5'],
    ['doubao-seedream-4-5', 'seedream_4_5'],
    ['seedream-4-5-251128', 'seedream_4_5'],
    ['doubao-seedream-5-0-260128', 'seedream_5_0_lite'],
    ['doubao-seedream-5-0-lite-260128', 'seedream_5_0_lite'],
    ['seedream-5-0-lite-260128', 'seedream_5_0_lite'],
    ['doubao-seedream-5-0-pro-260628', 'seedream_5_0_pro'],
    ['dola-seedream-5-0-pro-260628', 'seedream_5_0_pro'],
    ['doubao-seedream-5-0-flash-260915', 'seedream_5_0_flash'],
    ['dola-seedream-5-0-flash-260915', 'seedream_5_0_flash'],
    ['Doubao-Seedream-4-5', 'seedream_4_5'],
    ['dola-seedream-5-5-261028', 'seedream_5_5'],
    ['seedream-5-5-261028', 'seedream_5_5'],
    ['doubao-seedream-5-5-261028', 'seedream_5_5'],
    ['seedream-5-5', 'seedream_5_5'],
  ])('%s resolves to %s', (name, key) => {
    expect(findModel(name)?.entry.key).toBe(key);
  });

  it('does not resolve unknown names', () => {
    expect(findModel('dall-e-3')).toBeUndefined();
    expect(findModel('doubao-seedream-9-9')).toBeUndefined();
  });

  it('maps both 5.0 lite names to the canonical id of each region', () => {
    const resolved = findModel('doubao-seedream-5-0-lite-260128');
    expect(resolved && upstreamModelId(resolved.snapshot, 'cn')).toBe('doubao-seedream-5-0-260128');
    expect(resolved && upstreamModelId(resolved.snapshot, 'international')).toBe('seedream-5-0-260128');
  });

  it('has unique names across the catalog', () => {
    const all = modelCatalog.flatMap((entry) => modelNames(entry));
    expect(new Set(all).size).toBe(all.length);
  });

  it('keeps every default size valid for its own model', () => {
    for (const entry of modelCatalog) expect(sizeProblem(entry, entry.defaultSize), entry.key).toBeUndefined();
  });

  it('keeps every tier table inside the model pixel and aspect ranges', () => {
    for (const entry of modelCatalog) {
      for (const [tier, table] of Object.entries(entry.sizeTiers)) {
        expect(table, `${entry.key} ${tier}`).toHaveLength(8);
        for (const dims of table ?? []) {
          expect(sizeProblem(entry, { kind: 'pixels', ...dims }), `${entry.key} ${tier} ${dims.width}x${dims.height}`).toBeUndefined();
        }
      }
    }
  });
});

describe('size rules', () => {
  it.each([
    ['2K', { kind: 'tier', tier: '2K' }],
    ['1.5k', { kind: 'tier', tier: '1.5K' }],
    ['2048x2048', { kind: 'pixels', width: 2048, height: 2048 }],
    ['2496×1664', { kind: 'pixels', width: 2496, height: 1664 }],
    [' 1280 X 720 ', { kind: 'pixels', width: 1280, height: 720 }],
  ])('parses %s', (text, expected) => {
    expect(parseSize(text)).toEqual(expected);
  });

  it.each(['', 'big', '2048', '2048x', 'x2048', '-5x10', '1.5x2', '8K'])('does not parse %j', (text) => {
    expect(parseSize(text)).toBeUndefined();
  });

  it('formats sizes the way the upstream spells them', () => {
    expect(formatSize({ kind: 'tier', tier: '1.5K' })).toBe('1.5K');
    expect(formatSize({ kind: 'pixels', width: 2560, height: 1440 })).toBe('2560x1440');
    expect(parseDimensions('2720×1536')).toEqual({ width: 2720, height: 1536 });
  });

  it.each([
    ['seedream_4_5', '1024x1024', /1048576 pixels; Seedream 4.5 needs 3686400 to 16777216/],
    ['seedream_4_5', '2560x1440', undefined],
    ['seedream_4_5', '1K', /accepts the tiers 2K, 4K, not 1K/],
    ['seedream_3_0', '2K', /accepts only exact pixel sizes/],
    ['seedream_3_0', '2048x2048', undefined],
    ['seedream_3_0', '2049x2048', /needs 262144 to 4194304/],
    ['seedream_4_0', '4096x240', /aspect ratio 17.067:1.*outside 1:16 to 16:1/],
    ['seedream_4_0', '1280x720', undefined],
    ['seedream_5_0_lite', '3K', undefined],
    ['seedream_5_0_pro', '1.5K', undefined],
    ['seedream_5_0_pro', '4K', /accepts the tiers 1K, 1.5K, 2K, not 4K/],
    ['seedream_5_0_pro', '2160x2160', /4665600 pixels; Seedream 5.0 pro needs 921600 to 4624220/],
  ] as const)('%s size %s', (key, text, problem) => {
    const size = parseSize(text);
    expect(size).toBeDefined();
    const result = sizeProblem(modelByKey(key), size!);
    if (problem === undefined) expect(result).toBeUndefined();
    else expect(result).toMatch(problem);
  });

  it('reads an aspect ratio from the prompt and maps it through the tier table', () => {
    expect(aspectHintFromPrompt('a wide shot, 16:9, golden hour')).toBe('16:9');
    expect(aspectHintFromPrompt('竖屏 9：16 海报')).toBe('9:16');
    expect(aspectHintFromPrompt('at 10:30 in the morning')).toBeUndefined();
    expect(tierDimensions(modelByKey('seedream_4_5'), '2K', '16:9')).toEqual({ width: 2848, height: 1600 });
    expect(tierDimensions(modelByKey('seedream_5_0_pro'), '1.5K')).toEqual({ width: 1536, height: 1536 });
    expect(tierDimensions(modelByKey('seedream_4_5'), '1K')).toBeUndefined();
  });
});

describe('pricing', () => {
  it('prices images from the catalog in the chosen currency', () => {
    const usd = createPriceTable('USD');
    expect(usd.priceOf(modelByKey('seedream_4_5'), 2048, 2048)).toEqual({ currency: 'USD', micros: 40_000 });
    expect(createPriceTable('CNY').priceOf(modelByKey('seedream_4_0'), 2048, 2048)).toEqual({ currency: 'CNY', micros: 200_000 });
    expect(createPriceTable('CNY').priceOf(modelByKey('seedream_5_0_lite'), 2048, 2048)).toBeUndefined();
  });

  it('prices 5.0 pro by image size', () => {
    const usd = createPriceTable('USD');
    expect(usd.priceOf(modelByKey('seedream_5_0_pro'), 1024, 1024)?.micros).toBe(45_000);
    expect(usd.priceOf(modelByKey('seedream_5_0_pro'), 2048, 2048)?.micros).toBe(90_000);
  });

  it('prices 5.5 at the 2.6 MP threshold and charges every reference image; 5.0 pro after the first', () => {
    const usd = createPriceTable('USD');
    const m55 = modelByKey('seedream_5_5');
    expect(usd.priceOf(m55, 1536, 1536)?.micros).toBe(20_000); // 2,359,296 px: the 1.5K price
    expect(usd.priceOf(m55, 1612, 1613)?.micros).toBe(20_000); // 2,600,156 px ≤ 2,601,123.84
    expect(usd.priceOf(m55, 1632, 1594)?.micros).toBe(35_000); // 2,601,408 px, just above
    expect(usd.priceOf(m55, 2048, 2048)?.micros).toBe(35_000);
    expect(usd.priceOfReferences(m55, 3)).toEqual({ currency: 'USD', micros: 24_000 });
    expect(usd.priceOfReferences(modelByKey('seedream_5_0_pro'), 3)).toEqual({ currency: 'USD', micros: 6_000 });
    expect(usd.priceOfReferences(modelByKey('seedream_4_5'), 3)).toEqual({ currency: 'USD', micros: 0 });
    // No CNY price for 5.5's references: unknown, not free.
    expect(createPriceTable('CNY').priceOfReferences(m55, 1)).toBeUndefined();
  });

  it('lets operators override prices', () => {
    const table = createPriceTable('EUR', { seedream_4_5: { perImageMicros: 37_000 } });
    expect(table.priceOf(modelByKey('seedream_4_5'), 2048, 2048)).toEqual({ currency: 'EUR', micros: 37_000 });
    expect(table.priceOf(modelByKey('seedream_4_0'), 2048, 2048)).toBeUndefined();
  });
});
