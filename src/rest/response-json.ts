/**
 * The core's events → Ark-shaped JSON (reference §2 and §3.2): the non-streaming response body and the
 * payloads of the SSE events. Each body is serialized in one `JSON.stringify` pass, so an image's base64
 * is copied into the output once and never decoded or parsed again (DESIGN §8).
 */
import type { CostEstimate, DeliveredImage, ImageFailure, Usage } from '../service/types.js';

/** Ark's `size` field: `WIDTHxHEIGHT`. */
function sizeOf(image: DeliveredImage): string {
  return `${image.width}x${image.height}`;
}

/** A `data[i]` item: `{url, size}` or `{b64_json, size}` (reference §2). */
export function imageItem(image: DeliveredImage): { url: string; size: string } | { b64_json: string; size: string } {
  const content = image.content;
  return content.kind === 'url' ? { url: content.url, size: sizeOf(image) } : { b64_json: content.base64, size: sizeOf(image) };
}

/** A failed `data[i]` item, as Ark reports one image of a set failing (reference §2). */
export function failureItem(failure: ImageFailure): { error: { code: string; message: string } } {
  return { error: { code: failure.code, message: failure.message } };
}

/** The gateway's estimate (not the upstream bill), in the currency's unit and in micros. */
function costJson(cost: CostEstimate): { currency: string; amount: number; amount_micros: number } {
  return { currency: cost.currency, amount: cost.micros / 1e6, amount_micros: cost.micros };
}

/**
 * Ark's `usage` (reference §2): `total_tokens` equals `output_tokens` (inputs are not counted);
 * `tool_usage.web_search` when web search was asked for; plus the gateway's `estimated_cost`.
 */
export function usageJson(usage: Usage, webSearch: boolean): Record<string, unknown> {
  return {
    generated_images: usage.generatedImages,
    output_tokens: usage.outputTokens,
    total_tokens: usage.outputTokens,
    ...(webSearch && { tool_usage: { web_search: usage.webSearches } }),
    ...(usage.estimatedCost !== undefined && { estimated_cost: costJson(usage.estimatedCost) }),
  };
}

/** Unix seconds, as Ark's `created` (reference §2). */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** What a non-streaming call collected: images and failures in arrival order, then usage. */
export interface CollectedResult {
  readonly items: ReadonlyArray<{ readonly index: number; readonly item: object }>;
  readonly usage: Usage;
  readonly model: string;
}

/** The non-streaming response body: `data` ordered by image index, failures in place (reference §2). */
export function imagesResponseBody(result: CollectedResult, created: number, webSearch: boolean, warnings: readonly string[]): string {
  const data = [...result.items].sort((a, b) => a.index - b.index).map((entry) => entry.item);
  return JSON.stringify({
    created,
    model: result.model,
    data,
    usage: usageJson(result.usage, webSearch),
    ...(warnings.length > 0 && { warnings }),
  });
}

/** `image_generation.partial_succeeded` (reference §3.2). */
export function partialSucceededJson(image: DeliveredImage, model: string, created: number): string {
  return JSON.stringify({
    type: 'image_generation.partial_succeeded',
    model,
    created,
    image_index: image.index,
    ...imageItem(image),
  });
}

/** `image_generation.partial_failed` (reference §3.2). Carries `error`, which OpenAI SDKs raise on (§3.4). */
export function partialFailedJson(failure: ImageFailure, model: string, created: number): string {
  return JSON.stringify({
    type: 'image_generation.partial_failed',
    model,
    created,
    image_index: failure.index,
    ...failureItem(failure),
  });
}

/** `image_generation.completed`: usage only, no image (reference §3.2), plus our warnings if any. */
export function completedJson(usage: Usage, model: string, created: number, webSearch: boolean, warnings: readonly string[]): string {
  return JSON.stringify({
    type: 'image_generation.completed',
    model,
    created,
    usage: usageJson(usage, webSearch),
    ...(warnings.length > 0 && { warnings }),
  });
}
