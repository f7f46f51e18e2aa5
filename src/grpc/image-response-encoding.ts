/**
 * Serializers for the two responses that carry image bytes, producing exactly the bytes the generated
 * `encode().finish()` produces while copying each image's bytes once. The generated encoder (through
 * @bufbuild/protobuf's BinaryWriter) copies a `bytes` field into a growing chunk and then the chunks
 * into the result — twice per image; here the small fields still go through the generated encoder and
 * only the layout around the image bytes is written by hand (protobuf encoding: a message is the
 * concatenation of its fields, a length-delimited field is tag, varint length, payload).
 *
 * Field order: ts-proto writes fields in field-number order, so a GeneratedImage is `index` (1), the
 * `content` oneof (`url` 2 / `data` 3), then every other field; GenerateImagesResponse writes `images`
 * (1) before everything else. test/grpc/image-response-encoding.test.ts holds this against `encode()`.
 */
import { GeneratedImage } from '../../gen/seedream/v1/events.js';
import { GenerateImagesResponse, StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';

/** Wire type 2 (length-delimited) tags: `(field << 3) | 2`. */
const IMAGE_FIELD_TAG = (1 << 3) | 2; // StreamImagesResponse.image, GenerateImagesResponse.images
const DATA_FIELD_TAG = (3 << 3) | 2; // GeneratedImage.data

/** A message as pieces to concatenate once, with their total length. */
interface Pieces {
  readonly parts: Uint8Array[];
  length: number;
}

/** `StreamImagesResponse.encode(message).finish()`, copying an image's bytes once. */
export function encodeStreamImagesResponse(message: StreamImagesResponse): Uint8Array {
  const event = message.event;
  if (event?.$case !== 'image' || event.value.content?.$case !== 'data') return StreamImagesResponse.encode(message).finish();
  const pieces: Pieces = { parts: [], length: 0 };
  addImage(pieces, event.value);
  return Buffer.concat(pieces.parts, pieces.length);
}

/** `GenerateImagesResponse.encode(message).finish()`, copying each image's bytes once. */
export function encodeGenerateImagesResponse(message: GenerateImagesResponse): Uint8Array {
  if (!message.images.some((image) => image.content?.$case === 'data')) return GenerateImagesResponse.encode(message).finish();
  const pieces: Pieces = { parts: [], length: 0 };
  for (const image of message.images) addImage(pieces, image);
  add(pieces, GenerateImagesResponse.encode({ ...message, images: [] }).finish());
  return Buffer.concat(pieces.parts, pieces.length);
}

/** One GeneratedImage as a length-delimited field 1 (the field both responses put images in). */
function addImage(pieces: Pieces, image: GeneratedImage): void {
  const content = image.content;
  if (content?.$case !== 'data') {
    const encoded = GeneratedImage.encode(image).finish();
    add(pieces, header(IMAGE_FIELD_TAG, encoded.length));
    add(pieces, encoded);
    return;
  }
  const data = content.value;
  // `index` is the only field before `data`; the rest follow it.
  const before = GeneratedImage.encode(GeneratedImage.fromPartial({ index: image.index })).finish();
  const after = GeneratedImage.encode({ ...image, index: 0, content: undefined }).finish();
  const dataHeader = header(DATA_FIELD_TAG, data.length);
  add(pieces, header(IMAGE_FIELD_TAG, before.length + dataHeader.length + data.length + after.length));
  add(pieces, before);
  add(pieces, dataHeader);
  add(pieces, data);
  add(pieces, after);
}

function add(pieces: Pieces, part: Uint8Array): void {
  pieces.parts.push(part);
  pieces.length += part.length;
}

/** A length-delimited field's tag and length, as varints. */
function header(tag: number, length: number): Uint8Array {
  const out: number[] = [tag]; // every tag used here is below 128: one byte
  let rest = length;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return Uint8Array.from(out);
}

/**
 * The serialized message as nice-grpc should hand it to grpc-js. nice-grpc passes grpc-js
 * `Buffer.from(responseSerialize(message))`, which copies a Uint8Array — every image again — but only
 * wraps an ArrayBuffer; so a message that fills its ArrayBuffer (every message with an image: written
 * above at its exact size, past Buffer's 4 KiB pool) leaves as that ArrayBuffer, and grpc-js gets a
 * view of the same memory. Anything else is returned as it is and copied as before. The declared type
 * stays Uint8Array because nice-grpc's definition type says so; its only caller is nice-grpc's wrapper.
 */
export function bytesForNiceGrpc(bytes: Uint8Array): Uint8Array {
  const buffer = bytes.buffer;
  if (!(buffer instanceof ArrayBuffer) || bytes.byteOffset !== 0 || bytes.byteLength !== buffer.byteLength) return bytes;
  return buffer as unknown as Uint8Array;
}
