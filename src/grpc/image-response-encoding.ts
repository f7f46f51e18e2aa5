/**
 * Serializers for the two responses that carry image bytes, producing exactly the bytes the generated
 * `encode().finish()` produces while copying each image's bytes once. The generated encoder (through
 * @bufbuild/protobuf's BinaryWriter) copies a `bytes` field into a growing chunk and then the chunks
 * into the result — twice per image; here the small fields still go through the generated encoder and
 * only the layout around the image bytes is written by hand (protobuf encoding: a message is the
 * concatenation of its fields, a length-delimited field is tag, varint length, payload).
 *
 * Images converted by `framedImageFromBase64` go further: decoded straight into that layout, a streamed
 * image is sent as it was decoded. Every large buffer counts: V8 forces a scavenge whenever young
 * ArrayBuffers hold ~32 MiB, whatever the semi-space size, and image buffers are most of that
 * allocation (one buffer less per image: ~23 % fewer scavenges per StreamImages call).
 *
 * Field order: ts-proto writes fields in field-number order, so a GeneratedImage is `index` (1), the
 * `content` oneof (`url` 2 / `data` 3), then every other field; GenerateImagesResponse writes `images`
 * (1) before everything else. test/grpc/image-response-encoding.test.ts holds this against `encode()`.
 */
import { GeneratedImage } from '../../gen/seedream/v1/events.js';
import { GenerateImagesResponse, StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import { decodeBase64Into, type Base64Text } from '../base64.js';

/** Wire type 2 (length-delimited) tags: `(field << 3) | 2`. */
const IMAGE_FIELD_TAG = (1 << 3) | 2; // StreamImagesResponse.image, GenerateImagesResponse.images
const DATA_FIELD_TAG = (3 << 3) | 2; // GeneratedImage.data

/** A message as pieces to concatenate once, with their total length. */
interface Pieces {
  readonly parts: Uint8Array[];
  length: number;
}

/** `StreamImagesResponse.encode(message).finish()`, copying an image's bytes at most once. */
export function encodeStreamImagesResponse(message: StreamImagesResponse): Uint8Array {
  const event = message.event;
  if (event?.$case !== 'image' || event.value.content?.$case !== 'data') return StreamImagesResponse.encode(message).finish();
  // A StreamImagesResponse with an image is exactly that image as field 1: a framed image is the message.
  const framed = framedImageOf(event.value, event.value.content.value);
  if (framed !== undefined) return framed;
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

/**
 * `image` with its bytes decoded from `base64` straight into the image's own encoding as field 1 —
 * which is a whole StreamImagesResponse, and GenerateImagesResponse's piece for the image — its
 * `data` a view of those bytes. The serializers find that encoding again (`framedImageOf`) and send it
 * without copying the bytes: a streamed image is copied once after the decode (grpc-js's framing copy)
 * instead of twice. `image.content` is replaced.
 */
export function framedImageFromBase64(image: GeneratedImage, base64: Base64Text): GeneratedImage {
  const length = base64.decodedLength;
  const layout = layoutOf(image, length);
  // Its own ArrayBuffer (never Buffer's shared pool): the serializers hand the whole of it on.
  const framed = Buffer.allocUnsafeSlow(layout.dataStart + length + layout.after.length);
  framed.set(layout.imageHeader, 0);
  framed.set(layout.before, layout.imageHeader.length);
  framed.set(layout.dataHeader, layout.imageHeader.length + layout.before.length);
  const written = decodeBase64Into(base64, framed, layout.dataStart);
  framed.set(layout.after, layout.dataStart + length);
  // Checked text fills its room exactly; should it not, the bytes go unframed and no uninitialised memory leaves.
  const data = written === length ? framed.subarray(layout.dataStart, layout.dataStart + length) : Buffer.from(framed.subarray(layout.dataStart, layout.dataStart + written));
  return { ...image, content: { $case: 'data', value: data } };
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
  const framed = framedImageOf(image, content.value);
  if (framed !== undefined) return add(pieces, framed);
  const layout = layoutOf(image, content.value.length);
  add(pieces, layout.imageHeader);
  add(pieces, layout.before);
  add(pieces, layout.dataHeader);
  add(pieces, content.value);
  add(pieces, layout.after);
}

/** The bytes around an image's `data` in its field-1 encoding: `imageHeader before dataHeader DATA after`. */
interface ImageLayout {
  readonly imageHeader: Uint8Array;
  readonly before: Uint8Array;
  readonly dataHeader: Uint8Array;
  readonly after: Uint8Array;
  /** Where the data starts. */
  readonly dataStart: number;
}

function layoutOf(image: GeneratedImage, dataLength: number): ImageLayout {
  // `index` is the only field before `data`; the rest follow it.
  const before = GeneratedImage.encode(GeneratedImage.fromPartial({ index: image.index })).finish();
  const after = GeneratedImage.encode({ ...image, index: 0, content: undefined }).finish();
  const dataHeader = header(DATA_FIELD_TAG, dataLength);
  const imageHeader = header(IMAGE_FIELD_TAG, before.length + dataHeader.length + dataLength + after.length);
  return { imageHeader, before, dataHeader, after, dataStart: imageHeader.length + before.length + dataHeader.length };
}

/**
 * The image's field-1 encoding, when `data` sits in it as `framedImageFromBase64` put it: `data` is a
 * view into an ArrayBuffer holding exactly this image's layout around it. Checked against the image's
 * fields as they are now (a few dozen bytes), so a changed or foreign message is never sent as it was.
 */
function framedImageOf(image: GeneratedImage, data: Uint8Array): Uint8Array | undefined {
  const buffer = data.buffer;
  if (!(buffer instanceof ArrayBuffer)) return undefined;
  const layout = layoutOf(image, data.length);
  const end = layout.dataStart + data.length;
  if (data.byteOffset !== layout.dataStart || buffer.byteLength !== end + layout.after.length) return undefined;
  const whole = new Uint8Array(buffer);
  const matches = (part: Uint8Array, at: number) => Buffer.compare(part, whole.subarray(at, at + part.length)) === 0;
  const fits = matches(layout.imageHeader, 0) && matches(layout.before, layout.imageHeader.length) && matches(layout.dataHeader, layout.dataStart - layout.dataHeader.length) && matches(layout.after, end);
  return fits ? whole : undefined;
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
