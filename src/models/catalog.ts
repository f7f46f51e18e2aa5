/**
 * The Seedream model catalog: every model's names, size rules, limits, options and prices, as the
 * upstream reference (../shared/reference/ark-api.md §0, §1.2–§1.5, §6) documents them. Where the
 * reference is uncertain, the choice made and its reason are noted next to the value.
 */
import type { Dimensions, ModelEntry, ModelKey } from './types.js';

const d = (width: number, height: number): Dimensions => ({ width, height });

/** Upstream bound on images per request: references + generated images ≤ 15 (reference §1.5). */
export const MAX_IMAGES_PER_UPSTREAM_REQUEST = 15;

// Tier tables (reference §1.3), order 1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3, 21:9.
// 4.0's 1K uses the newer 16:9 / 21:9 values (1312×736, 1568×672); older docs listed 1280×720, 1512×648.
const tier1K40 = [d(1024, 1024), d(1152, 864), d(864, 1152), d(1312, 736), d(736, 1312), d(1248, 832), d(832, 1248), d(1568, 672)];
const tier1KPro = [d(1024, 1024), d(1152, 864), d(864, 1152), d(1424, 800), d(800, 1424), d(1248, 832), d(832, 1248), d(1568, 672)];
const tier15KPro = [d(1536, 1536), d(1792, 1344), d(1344, 1792), d(2048, 1152), d(1152, 2048), d(1872, 1248), d(1248, 1872), d(2352, 1008)];
const tier2K = [d(2048, 2048), d(2304, 1728), d(1728, 2304), d(2848, 1600), d(1600, 2848), d(2496, 1664), d(1664, 2496), d(3136, 1344)];
const tier2KPro = [d(2048, 2048), d(2368, 1776), d(1776, 2368), d(2816, 1584), d(1584, 2816), d(2496, 1664), d(1664, 2496), d(3136, 1344)];
// 5.5 publishes no W×H tables and caps output at 2048×2048 pixels: its 1K/1.5K are the 5.0 pro ones (all
// below the cap); its 2K keeps the pro 1:1 and 3:2 sizes and scales the others down to fit the cap.
const tier2K55 = [d(2048, 2048), d(2304, 1728), d(1728, 2304), d(2720, 1536), d(1536, 2720), d(2496, 1664), d(1664, 2496), d(3072, 1312)];
const tier3K = [d(3072, 3072), d(3456, 2592), d(2592, 3456), d(4096, 2304), d(2304, 4096), d(3744, 2496), d(2496, 3744), d(4704, 2016)];
const tier4K = [d(4096, 4096), d(4704, 3520), d(3520, 4704), d(5504, 3040), d(3040, 5504), d(4992, 3328), d(3328, 4992), d(6240, 2656)];

const WIDE_ASPECT: readonly [number, number] = [1 / 16, 16];
const MAX_PIXELS_4K = 4096 * 4096; // 16,777,216
// 5.0 pro/flash: 2048×2048×1.1025 = 4,624,220.16 → the largest whole pixel count in range.
const MAX_PIXELS_PRO = 4_624_220;
// 5.5: "max ≈ 2048×2048" (reference-updates §3.1); we take exactly 2048×2048 so no size we accept is
// over the upstream's bound.
const MAX_PIXELS_55 = 2048 * 2048;

const usd = (dollars: number) => ({ currency: 'USD', micros: Math.round(dollars * 1e6) });
const cny = (yuan: number) => ({ currency: 'CNY', micros: Math.round(yuan * 1e6) });

/** Every model the gateway serves, in the order ListModels returns them. */
export const modelCatalog: readonly ModelEntry[] = Object.freeze([
  {
    key: 'seedream_3_0',
    displayName: 'Seedream 3.0',
    snapshots: [
      { version: '250415', ids: { cn: ['doubao-seedream-3-0-t2i-250415'], international: ['seedream-3-0-t2i-250415'] } },
    ],
    shortNames: ['doubao-seedream-3-0-t2i', 'doubao-seedream-3-0', 'seedream-3-0-t2i', 'seedream-3-0', 'seedream-3.0-t2i'],
    sizeTiers: {},
    defaultSize: { kind: 'pixels', width: 1024, height: 1024 },
    pixelRange: [512 * 512, 2048 * 2048],
    // The reference states no output aspect range for 3.0. Its recommended sizes span 9:21–21:9 and its
    // input rule is 1:3–3:1, so we reject outside 1:3–3:1 rather than forward a size the model may refuse.
    aspectRange: [1 / 3, 3],
    maxReferenceImages: 0,
    options: ['size', 'seed', 'guidance_scale'],
    outputFormats: ['jpeg'],
    promptOptimizationModes: [],
    nativeStreaming: false,
    seedRange: [-1, 2_147_483_647],
    guidanceScale: { range: [1, 10], default: 2.5 },
    // USD price is a third-party figure (reference §6 ⚠).
    pricing: { perImage: [cny(0.259), usd(0.03)] },
  },
  {
    key: 'seedream_4_0',
    displayName: 'Seedream 4.0',
    snapshots: [{ version: '250828', ids: { cn: ['doubao-seedream-4-0-250828'], international: ['seedream-4-0-250828'] } }],
    shortNames: ['doubao-seedream-4-0', 'seedream-4-0'],
    sizeTiers: { '1K': tier1K40, '2K': tier2K, '4K': tier4K },
    defaultSize: { kind: 'pixels', width: 2048, height: 2048 },
    pixelRange: [1280 * 720, MAX_PIXELS_4K],
    aspectRange: WIDE_ASPECT,
    // 14 since Dec 2025 (10 at launch, reference §1.4 ⏱); the current docs say 14.
    maxReferenceImages: 14,
    options: ['size', 'image_set', 'prompt_optimization'],
    outputFormats: ['jpeg'],
    promptOptimizationModes: ['standard', 'fast'],
    nativeStreaming: true,
    pricing: { perImage: [cny(0.2), usd(0.03)] },
  },
  {
    key: 'seedream_4_5',
    displayName: 'Seedream 4.5',
    snapshots: [{ version: '251128', ids: { cn: ['doubao-seedream-4-5-251128'], international: ['seedream-4-5-251128'] } }],
    shortNames: ['doubao-seedream-4-5', 'seedream-4-5'],
    sizeTiers: { '2K': tier2K, '4K': tier4K },
    defaultSize: { kind: 'pixels', width: 2048, height: 2048 },
    pixelRange: [2560 * 1440, MAX_PIXELS_4K],
    aspectRange: WIDE_ASPECT,
    maxReferenceImages: 14,
    options: ['size', 'image_set'],
    outputFormats: ['jpeg'],
    promptOptimizationModes: ['standard'],
    nativeStreaming: true,
    pricing: { perImage: [cny(0.25), usd(0.04)] },
  },
  {
    key: 'seedream_5_0_lite',
    displayName: 'Seedream 5.0 lite',
    snapshots: [
      {
        version: '260128',
        // One model upstream under two names (reference §0 ⚠ CONFLICT; the official capability tables say
        // the `-lite-` id is an alias), so both resolve here and the first is sent.
        ids: {
          cn: ['doubao-seedream-5-0-260128', 'doubao-seedream-5-0-lite-260128'],
          international: ['seedream-5-0-260128', 'seedream-5-0-lite-260128'],
        },
      },
    ],
    shortNames: ['doubao-seedream-5-0-lite', 'doubao-seedream-5-0', 'seedream-5-0-lite', 'seedream-5-0'],
    // The Feb-2026 CN doc allowed 2K/3K up to 10.4 MP; the newer CN and BytePlus docs add 4K up to
    // 16.8 MP (reference §1.3 ⏱). We follow the newer docs.
    sizeTiers: { '2K': tier2K, '3K': tier3K, '4K': tier4K },
    defaultSize: { kind: 'pixels', width: 2048, height: 2048 },
    pixelRange: [2560 * 1440, MAX_PIXELS_4K],
    aspectRange: WIDE_ASPECT,
    maxReferenceImages: 14,
    options: ['size', 'image_set', 'output_format', 'web_search'],
    outputFormats: ['jpeg', 'png'],
    promptOptimizationModes: ['standard'],
    nativeStreaming: true,
    // No CNY price found (reference §6).
    pricing: { perImage: [usd(0.035)] },
  },
  {
    key: 'seedream_5_0_pro',
    displayName: 'Seedream 5.0 pro',
    snapshots: [
      { version: '260628', ids: { cn: ['doubao-seedream-5-0-pro-260628'], international: ['dola-seedream-5-0-pro-260628'] } },
    ],
    shortNames: ['doubao-seedream-5-0-pro', 'dola-seedream-5-0-pro', 'seedream-5-0-pro'],
    sizeTiers: { '1K': tier1KPro, '1.5K': tier15KPro, '2K': tier2KPro },
    // ⚠ CONFLICT: the API reference says tier default 2K, a tutorial says 1024×1024. We always send the
    // API reference's default explicitly, so the result does not depend on which one is right.
    defaultSize: { kind: 'tier', tier: '2K' },
    pixelRange: [1280 * 720, MAX_PIXELS_PRO],
    aspectRange: WIDE_ASPECT,
    maxReferenceImages: 10,
    // Unaligned exact sizes (1500x1000) are accepted upstream (reference-updates §3.2): no alignment rule.
    // `thinking` exists and must stay enabled with reference images (reference-updates §3.2, §3.4.5).
    options: ['size', 'prompt_optimization', 'output_format', 'thinking'],
    outputFormats: ['jpeg', 'png'],
    promptOptimizationModes: ['standard', 'fast'],
    nativeStreaming: false,
    // Priced by size: $0.045 up to 2.61 MP, $0.09 above, plus $0.003 per input image after the first
    // (third-party transcriptions, reference §6 ⚠, corroborated by reference-updates §3.2).
    pricing: {
      perImage: [usd(0.045)],
      large: { minPixels: 2_610_001, perImage: [usd(0.09)] },
      perReferenceImage: { prices: [usd(0.003)], freeReferenceImages: 1 },
    },
  },
  {
    key: 'seedream_5_0_flash',
    displayName: 'Seedream 5.0 flash',
    snapshots: [
      {
        version: '260915',
        ids: { cn: ['doubao-seedream-5-0-flash-260915'], international: ['dola-seedream-5-0-flash-260915'] },
      },
    ],
    shortNames: ['doubao-seedream-5-0-flash', 'dola-seedream-5-0-flash', 'seedream-5-0-flash'],
    sizeTiers: { '1K': tier1KPro, '1.5K': tier15KPro, '2K': tier2KPro },
    defaultSize: { kind: 'tier', tier: '2K' },
    pixelRange: [1280 * 720, MAX_PIXELS_PRO],
    aspectRange: WIDE_ASPECT,
    maxReferenceImages: 10,
    options: ['size', 'output_format'],
    outputFormats: ['jpeg', 'png'],
    promptOptimizationModes: ['standard'],
    nativeStreaming: false,
    // Third-party transcription (reference §6 ⚠).
    pricing: { perImage: [usd(0.018)] },
  },
  {
    key: 'seedream_5_5',
    displayName: 'Seedream 5.5',
    snapshots: [
      {
        version: '261028',
        // BytePlus needs the dated id (reference-updates §3.2); `seedream-5-5-261028` is its alias. The
        // Volcengine id is third-party (⚠ 3P).
        ids: { cn: ['doubao-seedream-5-5-261028'], international: ['dola-seedream-5-5-261028', 'seedream-5-5-261028'] },
      },
    ],
    shortNames: ['doubao-seedream-5-5', 'dola-seedream-5-5', 'seedream-5-5'],
    // No 3K/4K (⚠ CONFLICT: one reseller lists 3K; the BytePlus release says 1K/1.5K/2K).
    sizeTiers: { '1K': tier1KPro, '1.5K': tier15KPro, '2K': tier2K55 },
    defaultSize: { kind: 'tier', tier: '2K' },
    pixelRange: [1280 * 720, MAX_PIXELS_55],
    aspectRange: WIDE_ASPECT,
    maxReferenceImages: 10,
    options: ['size', 'output_format', 'background'],
    outputFormats: ['jpeg', 'png'],
    // `mode: fast` is not supported (reference-updates §3.1): standard is its only mode.
    promptOptimizationModes: ['standard'],
    nativeStreaming: false,
    // $0.020 for 921,600 ≤ P ≤ 2,601,123.84 px, $0.035 above, $0.008 per input image (reference-updates
    // §3.1; ⚠ CONFLICT: one reseller charges a flat $0.035 — we list BytePlus's own figures).
    pricing: {
      perImage: [usd(0.02)],
      large: { minPixels: 2_601_124, perImage: [usd(0.035)] },
      perReferenceImage: { prices: [usd(0.008)], freeReferenceImages: 0 },
    },
  },
] satisfies ModelEntry[]);

/** The catalog keys in catalog order. */
export const modelKeys: readonly ModelKey[] = modelCatalog.map((entry) => entry.key);
