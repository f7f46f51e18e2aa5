/**
 * Checks every answer of a phase at a cost the load generator can afford: small answers are inspected
 * in full every time; large ones (MBs of base64) in full the first time, then by size — a failed image
 * or an error frame would shrink an answer far below the first one.
 */
import type { AnswerContent } from './response-content.js';

/** Answers up to this size are parsed and checked in full, every time. */
const FULL_CHECK_BYTES = 64 * 1024;

export interface ContentCheck {
  /** Checks an answer of `size` bytes; `inspect` reads it in full when it has to. */
  check(size: number, inspect: () => AnswerContent): void;
  /** What the first answer delivered (throws before the first answer). */
  readonly first: AnswerContent;
}

/** `expected`: the content every answer must deliver (images and base64 bytes), when known up front. */
export function createContentCheck(expected?: AnswerContent): ContentCheck {
  let first: AnswerContent | undefined;
  let firstSize = 0;
  return {
    check(size, inspect) {
      if (first !== undefined && size > FULL_CHECK_BYTES) {
        if (size < firstSize * 0.9) throw new Error(`answer of ${size} bytes, the first one had ${firstSize}: an image is missing`);
        return;
      }
      const content = inspect();
      if (expected !== undefined && (content.images !== expected.images || content.base64Bytes !== expected.base64Bytes)) {
        throw new Error(`answer delivered ${describe(content)}, expected ${describe(expected)} (the direct baseline's)`);
      }
      if (first === undefined) {
        first = content;
        firstSize = size;
      }
    },
    get first() {
      if (first === undefined) throw new Error('no answer was checked');
      return first;
    },
  };
}

function describe(content: AnswerContent): string {
  return `${content.images} image(s), ${content.base64Bytes} base64 bytes`;
}
