/**
 * How large a legitimate answer of the images API can be, for the default bounds on what the gateway
 * reads from an upstream (DESIGN §9: an upstream answer can cost one call, never the process). The
 * largest image any model makes is the 4K tier, 4096×4096 = 16.8 MP (reference §1.3). A rendered PNG
 * of that size stays under 2 bytes per pixel (raw RGB is 3; generated pictures compress to well under
 * two thirds of it), so one image is at most ~33.5 MB, ~44.7 MB as base64; an answer carries at most 15.
 */

/** Pixels of the largest image the catalog allows. */
const MAX_IMAGE_PIXELS = 4096 * 4096;
/** Bytes per pixel of the largest legitimate PNG (see above). */
const MAX_PNG_BYTES_PER_PIXEL = 2;
/** Images in one answer at most (reference images + generated ≤ 15). */
const MAX_IMAGES_PER_ANSWER = 15;

/** One image as base64: 4 characters per 3 bytes. */
export const MAX_IMAGE_BASE64_BYTES = Math.ceil((MAX_IMAGE_PIXELS * MAX_PNG_BYTES_PER_PIXEL) / 3) * 4;

/** Default bound of one SSE frame: one image and its event's other fields. */
export const DEFAULT_MAX_SSE_FRAME_BYTES = MAX_IMAGE_BASE64_BYTES + 64 * 1024;

/** Default bound of a whole JSON answer: 15 images and the rest of the answer (~672 MB). */
export const DEFAULT_MAX_RESPONSE_BYTES = MAX_IMAGES_PER_ANSWER * MAX_IMAGE_BASE64_BYTES + 1024 * 1024;
