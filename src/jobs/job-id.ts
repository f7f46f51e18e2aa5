/**
 * Job ids: lowercase (AIP-122 resource ids), and ordered by creation time when compared as strings, so
 * a caller's jobs page newest-first by id alone — in a Redis sorted set by lexical range, in memory by
 * a plain sort — and a page token is just the last id seen.
 */
import { randomBytes } from 'node:crypto';

/** Milliseconds in base 36, fixed width: good until the year 5188. */
const timeWidth = 9;
const jobIdPattern = /^[0-9a-z]{9}[0-9a-f]{16}$/;

export function newJobId(nowMs: number): string {
  return nowMs.toString(36).padStart(timeWidth, '0') + randomBytes(8).toString('hex');
}

export function isJobId(value: string): boolean {
  return jobIdPattern.test(value);
}
