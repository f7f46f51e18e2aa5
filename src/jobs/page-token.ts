/**
 * AIP-132/158 page tokens for listing a caller's jobs: opaque to callers, bound to the caller that got
 * them (a token from one key is refused for another), carrying the last job id of the page.
 */
import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors.js';
import { isJobId } from './job-id.js';

export const defaultJobPageSize = 50;
export const maxJobPageSize = 1000;

interface PageCursor {
  readonly v: 1;
  /** A short hash of the owner, so a token cannot be replayed by another caller. */
  readonly o: string;
  /** The last id of the previous page; the next page starts after it. */
  readonly after: string;
}

function ownerTag(owner: string): string {
  return createHash('sha256').update(owner).digest('base64url').slice(0, 16);
}

export function pageTokenFor(owner: string, lastId: string): string {
  const cursor: PageCursor = { v: 1, o: ownerTag(owner), after: lastId };
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** The id to continue after, or undefined for the first page. Throws INVALID_ARGUMENT naming
 *  `page_token` for anything this module did not issue to this owner. */
export function afterIdFromPageToken(owner: string, token: string | undefined): string | undefined {
  if (token === undefined || token === '') return undefined;
  const refuse = () => invalidArgument([{ field: 'page_token', description: 'is not a page token from a previous list call by this caller' }]);
  let cursor: unknown;
  try {
    cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (typeof cursor !== 'object' || cursor === null) throw refuse();
  const { v, o, after } = cursor as Partial<PageCursor>;
  if (v !== 1 || o !== ownerTag(owner) || typeof after !== 'string' || !isJobId(after)) throw refuse();
  return after;
}

/** AIP-158: unset or 0 means the default; larger than the maximum is coerced; negative is an error. */
export function effectivePageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || pageSize === 0) return defaultJobPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 0) {
    throw invalidArgument([{ field: 'page_size', description: 'must be a non-negative integer' }]);
  }
  return Math.min(pageSize, maxJobPageSize);
}
