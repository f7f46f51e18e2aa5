/**
 * A GeneratedImage's `data` content made from checked base64, decoded only when something reads it.
 * The two serializers of image responses (image-response-encoding.ts) never read it: they decode the
 * base64 straight into the message they build, so the image's bytes are written once on the way out
 * instead of decoded into a buffer of their own and then copied into the message (DESIGN §8). Anything
 * else that reads `value` — the generated encoder, the jobs' messages, tests — gets the decoded bytes,
 * decoded once, as before.
 */
import { decodeBase64, type Base64Text } from '../base64.js';

type DataContent = { readonly $case: 'data'; readonly value: Buffer };

const sources = new WeakMap<object, Base64Text>();

/** `{ $case: 'data', value }` whose `value` is `text` decoded, on first read. */
export function dataContentOf(text: Base64Text): DataContent {
  let decoded: Buffer | undefined;
  const content: DataContent = {
    $case: 'data',
    get value() {
      return (decoded ??= decodeBase64(text));
    },
  };
  sources.set(content, text);
  return content;
}

/** The base64 a content made by `dataContentOf` holds (whether or not it was read yet). */
export function base64SourceOf(content: object): Base64Text | undefined {
  return sources.get(content);
}
