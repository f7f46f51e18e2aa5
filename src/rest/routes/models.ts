/**
 * `GET /v1/models` and `GET /v1/models/{model}`: the catalog in OpenAI's list shape (`{object: "list",
 * data: [{id, object: "model", created, owned_by}]}`) plus each model's capabilities, from the same
 * listing gRPC ListModels returns. The listing only changes with config, so the JSON is built once.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../../errors.js';
import { findModel } from '../../models/lookup.js';
import { formatSize } from '../../models/sizes.js';
import type { ModelOption, Price } from '../../models/types.js';
import type { ModelListing } from '../../service/model-listing.js';
import { JSON_CONTENT_TYPE, sendError } from '../reply-error.js';

/** The REST request field each catalog option corresponds to. */
const restParameters: Readonly<Record<ModelOption, string>> = {
  size: 'size',
  seed: 'seed',
  guidance_scale: 'guidance_scale',
  image_set: 'sequential_image_generation',
  prompt_optimization: 'optimize_prompt_options',
  output_format: 'output_format',
  web_search: 'tools',
  background: 'background',
  thinking: 'optimize_prompt_options.thinking',
};

const priceJson = (price: Price) => ({ currency: price.currency, amount: price.micros / 1e6, amount_micros: price.micros });

/** Unix seconds of a snapshot version `YYMMDD` (model ids end with their release date). */
function createdOf(listing: ModelListing): number {
  const version = findModel(listing.modelId)?.snapshot.version ?? '';
  const match = /^(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (match === null) return 0;
  return Date.UTC(2000 + Number(match[1]), Number(match[2]) - 1, Number(match[3])) / 1000;
}

/** One `data[]` entry of the list. */
export function modelJson(listing: ModelListing): Record<string, unknown> {
  return {
    id: listing.modelId,
    object: 'model',
    created: createdOf(listing),
    owned_by: 'bytedance',
    display_name: listing.displayName,
    spec_field: listing.key,
    aliases: listing.aliases,
    size_tiers: listing.sizeTiers,
    default_size: formatSize(listing.defaultSize),
    min_pixels: listing.pixelRange[0],
    max_pixels: listing.pixelRange[1],
    min_aspect_ratio: listing.aspectRange[0],
    max_aspect_ratio: listing.aspectRange[1],
    max_reference_images: listing.maxReferenceImages,
    supports_image_set: listing.supportsImageSet,
    supports_native_streaming: listing.nativeStreaming,
    output_formats: listing.outputFormats,
    prompt_optimization_modes: listing.promptOptimizationModes,
    parameters: listing.options.map((option) => restParameters[option]),
    ...(listing.price && { price_per_image: priceJson(listing.price) }),
    ...(listing.largeImagePrice && {
      price_per_large_image: priceJson(listing.largeImagePrice.price),
      large_image_min_pixels: listing.largeImagePrice.minPixels,
    }),
    ...(listing.referenceImagePrice && {
      price_per_reference_image: priceJson(listing.referenceImagePrice.price),
      free_reference_images: listing.referenceImagePrice.freeReferenceImages,
    }),
  };
}

/** Registers both routes on an authenticated scope. */
export function registerModelsRoutes(app: FastifyInstance, listing: readonly ModelListing[]): void {
  const list = JSON.stringify({ object: 'list', data: listing.map(modelJson) });
  const byKey = new Map(listing.map((entry) => [entry.key, JSON.stringify(modelJson(entry))]));

  app.get('/v1/models', (_request, reply) => reply.type(JSON_CONTENT_TYPE).send(list));
  app.get<{ Params: { model: string } }>('/v1/models/:model', (request, reply) => {
    // Any accepted name (dated, short, either region) retrieves its model, as the images route accepts it.
    const resolved = findModel(request.params.model);
    const json = resolved === undefined ? undefined : byKey.get(resolved.entry.key);
    if (json === undefined) {
      const error = new GatewayError('MODEL_NOT_FOUND', `The model ${JSON.stringify(request.params.model)} does not exist`, {
        violations: [{ field: 'model', description: 'unknown model' }],
      });
      return sendError(reply, error);
    }
    return reply.type(JSON_CONTENT_TYPE).send(json);
  });
}
