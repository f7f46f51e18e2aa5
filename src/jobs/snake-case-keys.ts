/**
 * Stored job JSON (the core's camelCase usage, events and webhook attempts) with snake_case keys, as
 * every REST payload and webhook spells them.
 */
import type { JsonValue } from './job-types.js';

export function snakeCaseKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((item: JsonValue) => snakeCaseKeys(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snakeCaseKeys(member)]));
}
