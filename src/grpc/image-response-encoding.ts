/**
 * Serializers for the two responses that carry image bytes, producing exactly the bytes the generated
 * `encode().finish()` produces while writing each image's bytes once: an image still held as base64
 * (image-data.ts) is decoded straight into the message, any other is copied into it. The generated encoder (through
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
import { decodeBase64Into, type Base64Text } from '../base64.js';
import { base64SourceOf } from './image-data.js';

/** Wire type 2 (length-delimited) tags: `(field << 3) | 2`. */
const IMAGE_FIELD_TAG = (1 << 3) | 2; // StreamImagesResponse.image, GenerateImagesResponse.images
const DATA_FIELD_TAG = (3 << 3) | 2; // GeneratedImage.data

/** A message as pieces to write into one buffer, with their total length; base64 is decoded there. */
interface Pieces {
  readonly parts: (Uint8Array | Base64Text)[];
  length: number;
}

/** `StreamImagesResponse.encode(message).finish()`, copying an image's bytes once. */
export function encodeStreamImagesResponse(message: StreamImagesResponse): Uint8Array {
  const event = message.event;
  if (event?.$case !== 'image' || event.value.content?.$case !== 'data') return StreamImagesResponse.encode(message).finish();
  const pieces: Pieces = { parts: [], length: 0 };
  addImage(pieces, event.value);
  return joined(pieces);
}

/** `GenerateImagesResponse.encode(message).finish()`, copying each image's bytes once. */
export function encodeGenerateImagesResponse(message: GenerateImagesResponse): Uint8Array {
  if (!message.images.some((image) => image.content?.$case === 'data')) return GenerateImagesResponse.encode(message).finish();
  const pieces: Pieces = { parts: [], length: 0 };
  for (const image of message.images) addImage(pieces, image);
  add(pieces, GenerateImagesResponse.encode({ ...message, images: [] }).finish());
  return joined(pieces);
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
  // Base64 not decoded yet is decoded into the message (without reading `value`, which would decode it).
  const data = base64SourceOf(content) ?? content.value;
  const dataLength = data instanceof Uint8Array ? data.length : data.decodedLength;
  // `index` is the only field before `data`; the rest follow it.
  const before = GeneratedImage.encode(GeneratedImage.fromPartial({ index: image.index })).finish();
  const after = GeneratedImage.encode({ ...image, index: 0, content: undefined }).finish();
  const dataHeader = header(DATA_FIELD_TAG, dataLength);
  add(pieces, header(IMAGE_FIELD_TAG, before.length + dataHeader.length + dataLength + after.length));
  add(pieces, before);
  add(pieces, dataHeader);
  add(pieces, data);
  add(pieces, after);
}

function add(pieces: Pieces, part: Uint8Array | Base64Text): void {
  pieces.parts.push(part);
  pieces.length += part instanceof Uint8Array ? part.length : part.decodedLength;
}

/** The pieces in one buffer: byte pieces copied, base64 decoded in place. */
function joined(pieces: Pieces): Buffer {
  const out = Buffer.allocUnsafe(pieces.length);
  let at = 0;
  for (const part of pieces.parts) {
    if (part instanceof Uint8Array) {
      out.set(part, at);
      at += part.length;
      continue;
    }
    const written = decodeBase64Into(part, out, at);
    // Checked base64 decodes to exactly decodedLength bytes; should it not, no uninitialised memory leaves.
    if (written !== part.decodedLength) throw new Error(`base64 image decoded to ${written} bytes, not ${part.decodedLength}`);
    at += written;
  }
  return out;
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
