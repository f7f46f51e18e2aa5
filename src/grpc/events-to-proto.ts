/**
 * The core's generation events → the proto messages StreamImages sends (and GenerateImages collects).
 * Pure functions. Inline images are decoded from base64 exactly once, here: gRPC carries them as raw
 * `bytes` (DESIGN §3), so nothing downstream touches base64 again.
 */
import type { Duration } from '../../gen/google/protobuf/duration.js';
import {
  ImageFailureReason,
  type GeneratedImage,
  type Heartbeat,
  type ImageFailure as ProtoImageFailure,
  type Usage as ProtoUsage,
} from '../../gen/seedream/v1/events.js';
import type { StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import type { CostEstimate as ProtoCostEstimate } from '../../gen/seedream/v1/types.js';
import type {
  CostEstimate,
  DeliveredImage,
  GenerationEvent,
  ImageFailure,
  ImageFailureKind,
  Usage,
} from '../service/types.js';
import { framedImageFromBase64 } from './image-response-encoding.js';

/** A delivered image as the proto `GeneratedImage`: URL with its expiry, or the file's bytes. */
export function generatedImageFromDomain(image: DeliveredImage): GeneratedImage {
  const { content } = image;
  const proto: GeneratedImage = {
    index: image.index,
    content: content.kind === 'url' ? { $case: 'url', value: content.url } : undefined,
    expiresAt: content.kind === 'url' ? content.expiresAt : undefined,
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    requestIndex: image.requestIndex,
    setIndex: image.setIndex,
    sha256: image.stored?.sha256 ?? '',
    byteSize: image.stored?.byteSize ?? 0,
    warning: image.warning ?? '',
  };
  // Bytes are decoded once, straight into the encoding the serializers send (image-response-encoding.ts).
  return content.kind === 'url' ? proto : framedImageFromBase64(proto, content.base64);
}

/** A per-image failure as the proto `ImageFailure`. */
export function imageFailureFromDomain(failure: ImageFailure): ProtoImageFailure {
  return {
    index: failure.index,
    reason: failureReasonFromKind(failure.kind),
    code: failure.code,
    message: failure.message,
    requestIndex: failure.requestIndex,
    setIndex: failure.setIndex,
  };
}

function failureReasonFromKind(kind: ImageFailureKind): ImageFailureReason {
  switch (kind) {
    case 'content_moderated':
      return ImageFailureReason.IMAGE_FAILURE_REASON_CONTENT_MODERATED;
    case 'generation_failed':
      return ImageFailureReason.IMAGE_FAILURE_REASON_GENERATION_FAILED;
    case 'request_failed':
      return ImageFailureReason.IMAGE_FAILURE_REASON_REQUEST_FAILED;
    default: {
      const unreachable: never = kind;
      throw new Error(`unknown failure kind ${String(unreachable)}`);
    }
  }
}

/** Milliseconds as a `google.protobuf.Duration`. */
export function durationFromMs(ms: number): Duration {
  const whole = Math.max(0, Math.round(ms));
  return { seconds: Math.floor(whole / 1000), nanos: (whole % 1000) * 1_000_000 };
}

/** Usage of a call as the proto `Usage`; the cost stays unset when no price is known. */
export function usageFromDomain(usage: Usage): ProtoUsage {
  return {
    generatedImages: usage.generatedImages,
    failedImages: usage.failedImages,
    outputTokens: usage.outputTokens,
    webSearches: usage.webSearches,
    estimatedCost: usage.estimatedCost === undefined ? undefined : costFromDomain(usage.estimatedCost),
  };
}

/** A cost or price in micros as the proto `CostEstimate`. */
export function costFromDomain(cost: CostEstimate): ProtoCostEstimate {
  return { currencyCode: cost.currency, amountMicros: cost.micros };
}

function heartbeatFromDomain(event: GenerationEvent & { type: 'heartbeat' }): Heartbeat {
  return {
    elapsed: durationFromMs(event.elapsedMs),
    imagesDelivered: event.imagesDelivered,
    imagesFailed: event.imagesFailed,
  };
}

/** One core event as one StreamImages message. */
export function streamResponseFromEvent(event: GenerationEvent): StreamImagesResponse {
  switch (event.type) {
    case 'image':
      return { event: { $case: 'image', value: generatedImageFromDomain(event.image) } };
    case 'failure':
      return { event: { $case: 'failure', value: imageFailureFromDomain(event.failure) } };
    case 'heartbeat':
      return { event: { $case: 'heartbeat', value: heartbeatFromDomain(event) } };
    case 'completed':
      return { event: { $case: 'completed', value: { usage: usageFromDomain(event.usage), model: event.model } } };
    default: {
      const unreachable: never = event;
      throw new Error(`unknown generation event ${JSON.stringify(unreachable)}`);
    }
  }
}
