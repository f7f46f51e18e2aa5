/**
 * Domain types of the core: the request it validates and the events it produces. Transport-free: the
 * gRPC and REST edges translate their wire shapes into these and back.
 */
import type { Context } from '@opentelemetry/api';
import type { Base64Text } from '../base64.js';
import type { UpstreamWaitClock } from '../telemetry/call-overhead.js';
import type { CancelSignal } from '../cancel-signal.js';
import type {
  BackgroundName,
  ModelKey,
  OutputFormatName,
  PromptOptimizationModeName,
  SizeRequest,
} from '../models/types.js';

/** A reference image as the caller gave it. Inline data stays in the encoding it arrived in, so it is
 *  encoded for the upstream at most once (DESIGN §8: no decode/re-encode round trips). */
export type ReferenceImage =
  /** An http(s) URL, passed upstream as is (the gateway never fetches it). */
  | { readonly kind: 'url'; readonly url: string }
  /** A `data:image/<format>;base64,<data>` URI, passed upstream as is once validated. */
  | { readonly kind: 'data-uri'; readonly uri: string }
  /** Raw file bytes (gRPC); `mimeType` empty = detect from the file signature. */
  | { readonly kind: 'bytes'; readonly data: Uint8Array; readonly mimeType?: string };

/** How images come back: a URL, or the file inline (base64 on REST, bytes on gRPC). */
export type ResponseFormatName = 'url' | 'b64_json';

/**
 * One generation request in domain terms. Model-specific options are flat and optional; validation
 * rejects any the chosen model does not accept (the gRPC contract cannot even express them, the REST
 * dialects can). Field names here are the domain paths used in FieldViolation.field.
 */
export interface GenerationSpec {
  readonly model: ModelKey;
  /** A specific model name to pin (any name of the model's catalog entry). */
  readonly modelId?: string;
  readonly prompt: string;
  readonly referenceImages: readonly ReferenceImage[];
  readonly responseFormat: ResponseFormatName;
  readonly watermark?: boolean;
  /** Independent generations (fan-out), ≥ 1. */
  readonly n: number;
  readonly user?: string;
  readonly size?: SizeRequest;
  readonly seed?: number;
  readonly guidanceScale?: number;
  /** An image set; `maxImages` undefined = 15 minus the reference images. */
  readonly imageSet?: { readonly maxImages?: number };
  readonly promptOptimization?: PromptOptimizationModeName;
  readonly outputFormat?: OutputFormatName;
  readonly webSearch?: boolean;
  /** 5.5: the image background; `transparent` needs `outputFormat` png. */
  readonly background?: BackgroundName;
  /** 5.0 pro: prompt thinking; `false` only without reference images. */
  readonly thinking?: boolean;
}

/** Who is calling, for limits, logs and metrics. */
export interface Caller {
  /** Name of the gateway key used (`open` when the gateway runs without keys). */
  readonly keyName: string;
  /** May read every caller's usage (config file `role: admin`). */
  readonly admin?: boolean;
}

/** Per-call context from the edge. */
export interface GenerateContext {
  /** The edge's server span context, parent of the generation span (default: the active context). */
  readonly traceContext?: Context;
  /** Aborted when the caller cancels or disconnects; aborts the upstream request at once. */
  readonly signal: CancelSignal;
  /** The caller's deadline (epoch ms), if it set one. */
  readonly deadline?: number;
  readonly caller: Caller;
  /** Told which channel served each upstream request (usage accounting, src/usage/). */
  readonly onChannel?: (requestIndex: number, channel: string) => void;
  /** Told of every wait on the upstream, so the edge can report the gateway's own time. */
  readonly upstreamWait?: UpstreamWaitClock;
  /** Called once the generation is admitted — concurrency slot and caller quotas taken — right before
   *  its first upstream request. Jobs use it to refuse a call over its limits as a plain call would
   *  (DESIGN §10) instead of accepting it and failing later. */
  readonly onAdmitted?: () => void;
}

export type ImageContent =
  | { readonly kind: 'url'; readonly url: string; readonly expiresAt: Date }
  /** The image file as checked base64 text: REST writes it into JSON as it is, gRPC decodes it once
   *  (DESIGN §3, §8). */
  | { readonly kind: 'base64'; readonly base64: Base64Text };

export interface DeliveredImage {
  /** Unique within the call: requestIndex × imagesPerRequest + setIndex. */
  readonly index: number;
  readonly requestIndex: number;
  readonly setIndex: number;
  readonly content: ImageContent;
  readonly mimeType: 'image/jpeg' | 'image/png';
  readonly width: number;
  readonly height: number;
  /** Set when the gateway stored the file (image hosting, DESIGN §11). */
  readonly stored?: { readonly sha256: string; readonly byteSize: number };
  /** Set when hosting failed: the content is the upstream's URL or inline data not stored. */
  readonly warning?: string;
}

export type ImageFailureKind = 'content_moderated' | 'generation_failed' | 'request_failed';

export interface ImageFailure {
  readonly index: number;
  readonly requestIndex: number;
  readonly setIndex: number;
  readonly kind: ImageFailureKind;
  /** Upstream error code, or the gateway's ErrorReason for `request_failed`. */
  readonly code: string;
  readonly message: string;
}

export interface CostEstimate {
  readonly currency: string;
  readonly micros: number;
}

export interface Usage {
  readonly generatedImages: number;
  readonly failedImages: number;
  readonly outputTokens: number;
  readonly webSearches: number;
  readonly estimatedCost?: CostEstimate;
}

/** What a generation produces, in order. A successful run ends with exactly one `completed`. */
export type GenerationEvent =
  | { readonly type: 'image'; readonly image: DeliveredImage }
  | { readonly type: 'failure'; readonly failure: ImageFailure }
  | {
      readonly type: 'heartbeat';
      readonly elapsedMs: number;
      readonly imagesDelivered: number;
      readonly imagesFailed: number;
    }
  | { readonly type: 'completed'; readonly usage: Usage; readonly model: string };
