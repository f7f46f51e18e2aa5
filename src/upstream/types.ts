/**
 * The upstream seam: what the core asks of an image provider, and what it gets back. Implementations
 * (src/upstream/ark/, src/upstream/openai-compatible/) speak HTTP to a Seedream API and map every
 * failure to a GatewayError; the core never sees HTTP.
 */
import type { Base64Text } from '../base64.js';
import type { CancelSignal } from '../cancel-signal.js';
import type { UpstreamWaitClock } from '../telemetry/call-overhead.js';
import type { BackgroundName, ModelEntry, OutputFormatName, PromptOptimizationModeName } from '../models/types.js';

/** One upstream request: a single call to the images endpoint (one image, or one image set). */
export interface UpstreamImageRequest {
  /** The catalog entry: which options the model accepts (only those are sent). */
  readonly model: ModelEntry;
  /** The id to send as `model` (already mapped to the upstream's region, or an endpoint id). */
  readonly modelId: string;
  readonly prompt: string;
  /** Reference images as the upstream takes them: http(s) URLs or `data:image/…;base64,…` URIs. */
  readonly images: readonly string[];
  /** `2K` or `2048x2048`. */
  readonly size: string;
  readonly responseFormat: 'url' | 'b64_json';
  readonly watermark?: boolean;
  readonly seed?: number;
  readonly guidanceScale?: number;
  /** Image set (`sequential_image_generation: auto`) with its upper bound. */
  readonly imageSet?: { readonly maxImages: number };
  readonly promptOptimization?: PromptOptimizationModeName;
  readonly outputFormat?: OutputFormatName;
  readonly webSearch?: boolean;
  /** `background` (5.5). */
  readonly background?: BackgroundName;
  /** `optimize_prompt_options.thinking` (5.0 pro): false = `disabled`. */
  readonly thinking?: boolean;
  /** End-user id, for upstreams that take one (the openai-compatible relay). */
  readonly user?: string;
  /** Ask for SSE streaming; only honoured for models with native streaming. */
  readonly stream: boolean;
}

export interface UpstreamCallOptions {
  /** Aborts the HTTP request at once (caller cancel, deadline). An AbortSignal or a CancelController. */
  readonly signal: CancelSignal;
  /** Upper bound for the whole upstream request, in ms. */
  readonly timeoutMs: number;
  /** Extra headers to send (trace context). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Routing state shared by the attempts of one upstream request (src/channels/); ignored by single
   *  upstreams. */
  readonly route?: AttemptRoute;
  /** Told of every stretch spent waiting on the upstream (the call's overhead signal). */
  readonly wait?: UpstreamWaitClock;
}

/** What routing remembers across the attempts of one upstream request, and tells the retry loop. */
export interface AttemptRoute {
  /** Channel keys (`<channel>#<n>`) this request has tried; routing prefers others. */
  readonly tried: Set<string>;
  /** The channel that served (or failed) the latest attempt. */
  channel?: string;
  /** After a failure: whether a channel key the request has not tried could take the next attempt. */
  alternative?: boolean;
}

/** A generated image as the upstream reported it. */
export interface UpstreamImage {
  readonly type: 'image';
  /** The upstream's `image_index` (0-based, counting failed attempts too). */
  readonly index: number;
  readonly url?: string;
  /** Raw base64 (no data-URI prefix), exactly as received and checked to be base64; relayed as it is
   *  or decoded once, never parsed or re-encoded (DESIGN §8). */
  readonly b64?: Base64Text;
  /** Reported size; absent for models that do not report it (3.0). */
  readonly width?: number;
  readonly height?: number;
  /** When a URL expires (upstream URLs live 24 h). */
  readonly expiresAt?: Date;
  readonly outputFormat?: OutputFormatName;
}

/** One image of a set that failed (`partial_failed`, or `data[i].error`). */
export interface UpstreamImageFailure {
  readonly type: 'failure';
  readonly index: number;
  readonly code: string;
  readonly message: string;
  /** The upstream failed the image for a passing reason of its own (an internal error), so asking
   *  again may produce it; moderation and other verdicts on the input are not. */
  readonly retryable?: boolean;
}

export interface UpstreamCompleted {
  readonly type: 'completed';
  /** The model id the upstream reports. */
  readonly model: string;
  readonly generatedImages: number;
  readonly outputTokens: number;
  readonly webSearches: number;
  /** Upstream `x-request-id` of the response. */
  readonly requestId?: string;
}

export type UpstreamEvent = UpstreamImage | UpstreamImageFailure | UpstreamCompleted;

/** An image provider. `generate` yields events as the upstream produces them and ends with exactly one
 *  `completed`; it throws GatewayError (with `upstream` details) for failures of the whole request. */
export interface ImageUpstream {
  /** `gen_ai.provider.name` for telemetry: `volcengine`, `byteplus`, `openai_compatible`, `simulator`. */
  readonly provider: string;
  /** Host and port requests go to (`server.address` / `server.port`). */
  readonly server: { readonly address: string; readonly port: number };
  generate(request: UpstreamImageRequest, options: UpstreamCallOptions): AsyncIterable<UpstreamEvent>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
