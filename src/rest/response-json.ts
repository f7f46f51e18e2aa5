/**
 * The core's events → Ark-shaped JSON (reference §2 and §3.2): the non-streaming response body and the
 * payloads of the SSE events. Everything but an image's base64 is serialized by `JSON.stringify`; the
 * base64 goes into the output as it is (json-parts.ts), copied once and never decoded, scanned or
 * parsed again (DESIGN §8).
 */
import type { CostEstimate, DeliveredImage, ImageFailure, Usage } from '../service/types.js';
import { concatParts, jsonObjectWithBase64, type JsonPart } from './json-parts.js';

/** Ark's `size` field: `WIDTHxHEIGHT`. */
function sizeOf(image: DeliveredImage): string {
  return `${image.width}x${image.height}`;
}

/** Members after the image: Ark's `size`, then what hosting adds (`sha256`, `byte_size`, `warning`). */
function trailingOf(image: DeliveredImage): object {
  return {
    size: sizeOf(image),
    ...(image.stored !== undefined && { sha256: image.stored.sha256, byte_size: image.stored.byteSize }),
    ...(image.warning !== undefined && { warning: image.warning }),
  };
}

/** A `data[i]` item: `{url, size}` or `{b64_json, size}` (reference §2), with `leading` members first. */
function imageJson(image: DeliveredImage, leading: object): JsonPart[] {
  const content = image.content;
  if (content.kind === 'base64') return jsonObjectWithBase64(leading, 'b64_json', content.base64, trailingOf(image));
  return [JSON.stringify({ ...leading, url: content.url, ...trailingOf(image) })];
}

/** The call's warnings: the request's, then one per image the gateway could not host. */
export function warningsWithImages(warnings: readonly string[], images: Iterable<DeliveredImage>): readonly string[] {
  let all: string[] | undefined;
  for (const image of images) {
    if (image.warning === undefined) continue;
    all ??= [...warnings];
    all.push(image.warning);
  }
  return all ?? warnings;
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

/** One `data[i]` item of a non-streaming call: an image or a failed image. */
export type CollectedItem = { readonly index: number; readonly image: DeliveredImage } | { readonly index: number; readonly failure: ImageFailure };

/** What a non-streaming call collected: images and failures in arrival order, then usage. */
export interface CollectedResult {
  readonly items: readonly CollectedItem[];
  readonly usage: Usage;
  readonly model: string;
}

/**
 * The non-streaming response body: `data` ordered by image index, failures in place (reference §2).
 * The bytes of `JSON.stringify({created, model, data, usage, warnings?})`, written into one buffer.
 */
export function imagesResponseBody(result: CollectedResult, created: number, webSearch: boolean, warnings: readonly string[]): Buffer {
  return concatParts(imagesResponseParts(result, created, webSearch, warnings));
}

/** The same body as parts, for a writer that sends base64 as it is held (json-parts.ts). */
export function imagesResponseParts(result: CollectedResult, created: number, webSearch: boolean, warnings: readonly string[]): JsonPart[] {
  const head = JSON.stringify({ created, model: result.model });
  const all = warningsWithImages(warnings, result.items.flatMap((item) => ('image' in item ? [item.image] : [])));
  const tail = JSON.stringify({ usage: usageJson(result.usage, webSearch), ...(all.length > 0 && { warnings: all }) });
  const parts: JsonPart[] = [`${head.slice(0, -1)},"data":[`];
  [...result.items]
    .sort((a, b) => a.index - b.index)
    .forEach((item, i) => {
      if (i > 0) parts.push(',');
      if ('image' in item) parts.push(...imageJson(item.image, {}));
      else parts.push(JSON.stringify(failureItem(item.failure)));
    });
  parts.push(`],${tail.slice(1)}`);
  return parts;
}

/** The prefix of stream event types: `image_generation` for generations, `image_edit` for edits (the
 *  OpenAI convention: `image_generation.completed` vs `image_edit.completed`). */
export type StreamEventPrefix = 'image_generation' | 'image_edit';

/** `image_generation.partial_succeeded` (reference §3.2), as JSON parts (the base64 as it is). */
export function partialSucceededJson(image: DeliveredImage, model: string, created: number, prefix: StreamEventPrefix = 'image_generation'): JsonPart[] {
  return imageJson(image, { type: `${prefix}.partial_succeeded`, model, created, image_index: image.index });
}

/** `image_generation.partial_failed` (reference §3.2). Carries `error`, which OpenAI SDKs raise on (§3.4). */
export function partialFailedJson(failure: ImageFailure, model: string, created: number, prefix: StreamEventPrefix = 'image_generation'): string {
  return JSON.stringify({
    type: `${prefix}.partial_failed`,
    model,
    created,
    image_index: failure.index,
    ...failureItem(failure),
  });
}

/** `image_generation.completed`: usage only, no image (reference §3.2), plus our warnings if any. */
export function completedJson(
  usage: Usage,
  model: string,
  created: number,
  webSearch: boolean,
  warnings: readonly string[],
  prefix: StreamEventPrefix = 'image_generation',
): string {
  return JSON.stringify({
    type: `${prefix}.completed`,
    model,
    created,
    usage: usageJson(usage, webSearch),
    ...(warnings.length > 0 && { warnings }),
  });
}
