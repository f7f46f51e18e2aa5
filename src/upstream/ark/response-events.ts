/**
 * Ark answers (reference §2, §3.2) as UpstreamEvents: images (URL with its expiry, or the raw base64
 * passed through untouched — DESIGN §8), per-image failures, and the final usage.
 */
import { Base64Text, base64TextOfString } from '../../base64.js';
import { parseDimensions } from '../../models/sizes.js';
import type { OutputFormatName } from '../../models/types.js';
import type { UpstreamCompleted, UpstreamEvent, UpstreamImage, UpstreamImageFailure } from '../types.js';
import { cleanUpstreamMessage } from '../upstream-failure.js';
import type { ArkResponse, ArkUsage } from './response-schema.js';

/** What decoding needs besides the answer itself. */
export interface DecodeContext {
  /** The `output_format` asked for, the fallback when the answer does not say (§2). */
  readonly requestedFormat: OutputFormatName | undefined;
  /** The model id sent, the fallback when the answer does not echo one. */
  readonly modelId: string;
  /** The answer's `x-request-id`. */
  readonly requestId: string | undefined;
  /** How long a URL lives when the URL itself does not say (Ark: 24 h from `created`, §2, §5). */
  readonly urlTtlMs: number;
  readonly now: () => number;
}

/** `b64_json: ""` beside a URL was taken as an empty image, and still is. */
const EMPTY_TEXT = new Base64Text([], 0);

/** The wrapper some relays put around base64 (Ark never does, §2: "raw base64"). */
export const dataUriPrefix = /^data:image\/([a-z0-9.+-]+);base64,/i;

interface ImageFields {
  readonly url?: string | null;
  /** Checked base64 cut out of the answer, or a string where it could not be (response-schema.ts). */
  readonly b64_json?: Base64Text | string | null;
  readonly size?: string | null;
  readonly output_format?: string | null;
}

/** One generated image. `created` is the answer's Unix time in seconds, when it has one. */
export function imageFromArk(index: number, item: ImageFields, created: number | null | undefined, ctx: DecodeContext): UpstreamImage {
  const dims = item.size == null ? undefined : parseDimensions(item.size); // 3.0 reports no size (§2)
  let b64: Base64Text | undefined;
  let uriFormat: OutputFormatName | undefined;
  const raw = item.b64_json;
  if (typeof raw === 'string') {
    // The slow path: base64 JSON.parse had to unescape, or wrapped in a data URI (the schema checked
    // it). An empty string stays an empty image, as it always was.
    const wrapped = raw.startsWith('data:') ? dataUriPrefix.exec(raw.slice(0, 64)) : null;
    uriFormat = formatName(wrapped?.[1]);
    b64 = raw === '' ? EMPTY_TEXT : base64TextOfString(wrapped === null ? raw : raw.slice(wrapped[0].length));
  } else {
    b64 = raw ?? undefined;
  }
  const url = b64 === undefined ? (item.url ?? undefined) : undefined;
  return {
    type: 'image',
    index,
    url,
    b64,
    width: dims?.width,
    height: dims?.height,
    expiresAt: url === undefined ? undefined : urlExpiry(url, created, ctx),
    // The answer's own `output_format` (5.0), else what we asked for, else Ark's default jpeg (§1.1).
    outputFormat: formatName(item.output_format) ?? uriFormat ?? ctx.requestedFormat ?? 'jpeg',
  };
}

/** Per-image codes of the upstream's own passing failures: the codes error-mapping.ts retries when a
 *  whole request fails with them (reference §4). */
const retryableImageCodes: ReadonlySet<string> = new Set(['InternalServiceError', 'ServerOverloaded']);

/** One failed image of a set. */
export function failureFromArk(index: number, error: { code: string; message?: string | null }): UpstreamImageFailure {
  const failure: UpstreamImageFailure = { type: 'failure', index, code: error.code, message: cleanUpstreamMessage(error.message ?? error.code) };
  return retryableImageCodes.has(error.code) ? { ...failure, retryable: true } : failure;
}

/** The final event. Without `usage` (OpenAI-shaped relays), the delivered images are the count. */
export function completedFromArk(
  model: string | null | undefined,
  usage: ArkUsage | null | undefined,
  deliveredImages: number,
  ctx: DecodeContext,
): UpstreamCompleted {
  return {
    type: 'completed',
    model: model ?? ctx.modelId,
    generatedImages: usage?.generated_images ?? deliveredImages,
    outputTokens: usage?.output_tokens ?? 0,
    webSearches: usage?.tool_usage?.web_search ?? 0,
    requestId: ctx.requestId,
  };
}

/** A whole non-stream answer: `data[]` in order (index = position, §2), then `completed`. */
export function eventsFromArkResponse(response: ArkResponse, ctx: DecodeContext): UpstreamEvent[] {
  const events: UpstreamEvent[] = [];
  let delivered = 0;
  response.data.forEach((item, index) => {
    if (item.error != null && item.url == null && item.b64_json == null) {
      events.push(failureFromArk(index, item.error));
    } else {
      events.push(imageFromArk(index, item, response.created, ctx));
      delivered++;
    }
  });
  events.push(completedFromArk(response.model, response.usage, delivered, ctx));
  return events;
}

function formatName(value: string | null | undefined): OutputFormatName | undefined {
  switch (value?.toLowerCase()) {
    case 'png':
      return 'png';
    case 'jpeg':
    case 'jpg':
      return 'jpeg';
    default:
      return undefined;
  }
}

const tosDate = /[?&]X-Tos-Date=(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/i;
const tosExpires = /[?&]X-Tos-Expires=(\d{1,9})(?:&|$)/i;

/**
 * When a URL stops working. Ark's URLs are TOS pre-signed links carrying their own validity
 * (`X-Tos-Date` + `X-Tos-Expires=86400`, §2): when both are there, they are the truth for that link
 * (and hold for the simulator or a relay that signs the same way). Otherwise `created` + the
 * upstream's documented lifetime, or receipt time + lifetime when the answer has no `created`.
 */
export function urlExpiry(url: string, created: number | null | undefined, ctx: DecodeContext): Date {
  const date = tosDate.exec(url);
  const expires = tosExpires.exec(url);
  if (date !== null && expires !== null) {
    const [, y, mo, d, h, mi, s] = date.map(Number);
    const signedAt = Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s);
    if (Number.isFinite(signedAt)) return new Date(signedAt + Number(expires[1]) * 1000);
  }
  const base = created != null && created > 0 ? created * 1000 : ctx.now();
  return new Date(base + ctx.urlTtlMs);
}
