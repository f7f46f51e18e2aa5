/**
 * Types of the model catalog: what the gateway knows about each Seedream model. The catalog is data
 * (src/models/catalog.ts); validation, ListModels, /v1/models, pricing and the simulator all read it.
 */

/** Catalog key of a model; equals the member name of `ImageGenerationSpec.model` in the proto. */
export type ModelKey =
  | 'seedream_3_0'
  | 'seedream_4_0'
  | 'seedream_4_5'
  | 'seedream_5_0_lite'
  | 'seedream_5_0_pro'
  | 'seedream_5_0_flash'
  | 'seedream_5_5';

/** Resolution tier keywords as the upstream spells them. */
export type SizeTierName = '1K' | '1.5K' | '2K' | '3K' | '4K';

export type OutputFormatName = 'jpeg' | 'png';
export type PromptOptimizationModeName = 'standard' | 'fast';
/** Background of a generated image (5.5); `transparent` needs PNG output. */
export type BackgroundName = 'auto' | 'transparent' | 'opaque';

/** Options that only some models accept (the per-model options messages of the proto). */
export type ModelOption =
  | 'size'
  | 'seed'
  | 'guidance_scale'
  | 'image_set'
  | 'prompt_optimization'
  | 'output_format'
  | 'web_search'
  | 'background'
  /** `optimize_prompt_options.thinking` (5.0 pro; reference-updates §3.2). */
  | 'thinking';

/** Upstream region: Volcengine Ark (China) or BytePlus ModelArk (international). Ids differ. */
export type Region = 'cn' | 'international';

export interface Dimensions {
  readonly width: number;
  readonly height: number;
}

/** A requested size: a tier keyword or exact pixels. */
export type SizeRequest =
  | { readonly kind: 'tier'; readonly tier: SizeTierName }
  | { readonly kind: 'pixels'; readonly width: number; readonly height: number };

/** A dated snapshot of a model and its ids in both regions. The first id of each region is canonical;
 *  the others are aliases the upstream also accepts (5.0 lite's `-lite-` ids). */
export interface ModelSnapshot {
  readonly version: string;
  readonly ids: Readonly<Record<Region, readonly [string, ...string[]]>>;
}

/** A price in micros (millionths) of a currency unit. */
export interface Price {
  readonly currency: string;
  readonly micros: number;
}

/** Price per delivered image. `large` applies to images of at least `large.minPixels` pixels.
 *  `perReferenceImage` is charged per reference image of every upstream request that delivered an image
 *  (the upstream bills `usage.input_images`), after the first `freeReferenceImages` of the request. */
export interface ModelPricing {
  readonly perImage: readonly Price[];
  readonly large?: { readonly minPixels: number; readonly perImage: readonly Price[] };
  readonly perReferenceImage?: { readonly prices: readonly Price[]; readonly freeReferenceImages: number };
}

export interface ModelEntry {
  readonly key: ModelKey;
  readonly displayName: string;
  /** Snapshots, newest first; the first is the current one. */
  readonly snapshots: readonly [ModelSnapshot, ...ModelSnapshot[]];
  /** Undated names that resolve to the current snapshot (`doubao-seedream-4-5`, `seedream-4-5`). */
  readonly shortNames: readonly string[];
  /** Tier keyword → the W×H the model maps each prompt aspect ratio to (reference §1.3 tables), in
   *  the order 1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3, 21:9. Empty for pixel-only models. */
  readonly sizeTiers: Readonly<Partial<Record<SizeTierName, readonly Dimensions[]>>>;
  /** Sent upstream when the request has no size (always explicit, so behaviour does not depend on
   *  undocumented upstream defaults). */
  readonly defaultSize: SizeRequest;
  /** Inclusive total-pixel range (width × height) for exact sizes. */
  readonly pixelRange: readonly [number, number];
  /** Inclusive aspect-ratio range (width ÷ height) for exact sizes. */
  readonly aspectRange: readonly [number, number];
  readonly maxReferenceImages: number;
  /** Options this model accepts beyond the common ones. */
  readonly options: readonly ModelOption[];
  readonly outputFormats: readonly OutputFormatName[];
  readonly promptOptimizationModes: readonly PromptOptimizationModeName[];
  /** Whether the upstream streams this model over SSE (`stream: true`). */
  readonly nativeStreaming: boolean;
  /** Seed range, for models with `seed`. */
  readonly seedRange?: readonly [number, number];
  /** guidance_scale range and default, for models with `guidance_scale`. */
  readonly guidanceScale?: { readonly range: readonly [number, number]; readonly default: number };
  readonly pricing: ModelPricing;
}

/** The aspect ratios of the reference W×H tables, in table order. */
export const tierAspectRatios = ['1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const;
export type TierAspectRatio = (typeof tierAspectRatios)[number];
