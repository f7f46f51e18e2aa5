/**
 * Shapes of Ark's answers (reference §2 non-stream body, §3.2 stream events), compiled once at module
 * load (DESIGN §8). Strict enough to reject garbage (every image must carry a URL, base64 or an error;
 * indexes are non-negative integers), lenient about what varies between Ark, relays and revisions:
 * unknown members are ignored, `usage`, `model` and `created` may be missing (OpenAI-shaped relay
 * answers have no `model` nor `generated_images`, reference §4.2), and `url`/`b64_json` may be `null`.
 */
import { z } from 'zod';
import { Base64Text, base64TextOfString } from '../../base64.js';
import { dataUriPrefix } from './response-events.js';

const optionalString = z.string().nullish();

/**
 * `b64_json`: the Base64Text parseJsonWithCuts cut out of the answer (already checked; JSON.parse cannot
 * produce one), or a string where it could not — an escaped value, a data-URI wrapper some relays add —
 * checked here. Base64 that is not base64 is a broken answer, never bytes relayed to the caller. The
 * empty string is "no image", as before.
 */
const base64Field = z
  .union([
    z.instanceof(Base64Text),
    z.string().refine((text) => text === '' || base64TextOfString(text.replace(dataUriPrefix, '')) !== undefined, { message: 'b64_json is not base64' }),
  ])
  .nullish();

/** `{code, message}` of a failed image or a failed request. */
export const arkErrorObjectSchema = z.object({
  code: z.union([z.string(), z.number()]).transform(String),
  message: z.string().nullish(),
});

/** `usage` (§2): `generated_images` is the billing unit; `tool_usage.web_search` only with web search. */
export const arkUsageSchema = z.object({
  generated_images: z.number().int().nonnegative().nullish(),
  output_tokens: z.number().nonnegative().nullish(),
  tool_usage: z.object({ web_search: z.number().int().nonnegative().nullish() }).nullish(),
});

const imageFields = {
  url: optionalString,
  b64_json: base64Field,
  /** `"<W>x<H>"`; absent on 3.0. */
  size: optionalString,
  output_format: optionalString,
};

/** One `data[]` item: an image or an error object (§2: "each item is either"). */
export const arkDataItemSchema = z
  .object({ ...imageFields, error: arkErrorObjectSchema.nullish() })
  .refine((item) => hasImage(item) || item.error != null, { message: 'neither an image nor an error' });

/** The non-stream body. */
export const arkResponseSchema = z.object({
  model: optionalString,
  created: z.number().nullish(),
  data: z.array(arkDataItemSchema),
  usage: arkUsageSchema.nullish(),
});

const imageIndex = z.number().int().nonnegative();

/** The stream events we act on (§3.2). */
export const arkStreamEventSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('image_generation.partial_succeeded'), image_index: imageIndex, created: z.number().nullish(), ...imageFields })
    .refine(hasImage, { message: 'partial_succeeded without url or b64_json' }),
  z.object({ type: z.literal('image_generation.partial_failed'), image_index: imageIndex, error: arkErrorObjectSchema }),
  z.object({ type: z.literal('image_generation.completed'), model: optionalString, usage: arkUsageSchema.nullish() }),
]);

/** A validated non-stream body. */
export type ArkResponse = z.infer<typeof arkResponseSchema>;
/** A validated `data[]` item. */
export type ArkDataItem = z.infer<typeof arkDataItemSchema>;
/** A validated `usage`. */
export type ArkUsage = z.infer<typeof arkUsageSchema>;
/** A validated stream event we act on. */
export type ArkStreamEvent = z.infer<typeof arkStreamEventSchema>;

function hasImage(item: { url?: string | null; b64_json?: Base64Text | string | null }): boolean {
  return (typeof item.url === 'string' && item.url !== '') || item.b64_json instanceof Base64Text || (typeof item.b64_json === 'string' && item.b64_json !== '');
}
