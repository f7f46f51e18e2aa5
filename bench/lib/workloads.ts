/**
 * The two request shapes every scenario sends, written once for each wire: the Ark/REST JSON body and
 * the equivalent gRPC request. Both ask the same model for the same images, so the simulator serves the
 * same work whichever path the request took.
 */
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import type { StreamImagesRequest } from '../../gen/seedream/v1/image_service.js';
import { SizeTier } from '../../gen/seedream/v1/types.js';

/** The model every scenario uses: Seedream 4.5 streams natively upstream and has the 4K tier. */
export const MODEL = 'doubao-seedream-4-5-251128';

export interface Workload {
  readonly label: string;
  /** Ark / OpenAI-compatible JSON body without `stream`. */
  readonly json: Readonly<Record<string, unknown>>;
  readonly grpc: StreamImagesRequest;
  /** The gRPC load client's HTTP/2 receive window, for answers carrying image bytes (docs/grpc.md
   *  advises 16 MiB: grpc-js keeps 64 KiB, a window round trip per 64 KiB of image); unset = grpc-js's. */
  readonly grpcFlowControlWindowBytes?: number;
}

/** URL mode: one 2K image, answered with a URL — nothing is rendered at request time (pure overhead). */
export const urlWorkload: Workload = {
  label: 'url',
  json: { model: MODEL, prompt: 'a lighthouse at dusk', size: '2K', response_format: 'url' },
  grpc: request('a lighthouse at dusk', SizeTier.SIZE_TIER_2K, ResponseFormat.RESPONSE_FORMAT_URL, undefined),
};

/**
 * Base64 relay: a set of four 4K JPEGs inline (≈ 1.6 MB of base64 per answer, ≈ 410 KB per image). The
 * simulator's flat-block images compress well; 4K JPEG is the heaviest it makes (PNG at 4K is ≈ 120 KB),
 * and a set puts several images into one upstream body, the case where a second JSON pass would hurt.
 * With SIMULATOR_FIXED_SEED the same four images come from the simulator's cache every time.
 */
/** A set of `images` 4K JPEGs inline (≈ 0.41 MB of base64 each; 15 make ≈ 6.2 MB answers). */
export function base64SetWorkload(images: number): Workload {
  const prompt = `${images} images of a lighthouse at dusk`;
  return {
    label: 'b64',
    json: {
      model: MODEL,
      prompt,
      size: '4K',
      response_format: 'b64_json',
      sequential_image_generation: 'auto',
      sequential_image_generation_options: { max_images: images },
    },
    grpc: request(prompt, SizeTier.SIZE_TIER_4K, ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES, images),
    grpcFlowControlWindowBytes: 16 * 1024 * 1024,
  };
}

/** The JSON body, streaming or not. */
export function jsonBody(workload: Workload, stream: boolean): string {
  return JSON.stringify(stream ? { ...workload.json, stream: true } : workload.json);
}

function request(prompt: string, tier: SizeTier, responseFormat: ResponseFormat, maxImages: number | undefined): StreamImagesRequest {
  return {
    requestId: '',
    spec: {
      prompt,
      referenceImages: [],
      responseFormat,
      n: 1,
      user: '',
      model: {
        $case: 'seedream45',
        value: {
          modelId: '',
          size: { kind: { $case: 'tier', value: tier } },
          imageSet: maxImages === undefined ? undefined : { maxImages },
        },
      },
    },
  };
}
