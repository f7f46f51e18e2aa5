/**
 * Frozen attribute sets kept by a caller-chosen key, so a call records its metrics with an attribute
 * object built once per distinct set instead of once per call. The gateway's histograms and summed
 * counters find a frozen set by identity (no key built, no hashing): the cheapest record there is.
 *
 * The key must determine the set (callers join the few values the set is built from); the cache is
 * bounded, and past the bound a set is built per call, unfrozen — correct, only slower.
 */
import type { Attributes } from '@opentelemetry/api';

/** Most sets kept per cache: metric attribute sets are bounded (the SDK's default limit is 2000). */
const MAX_SETS = 2000;

export type AttributeInterner = (key: string, build: () => Attributes) => Attributes;

export function createAttributeInterner(): AttributeInterner {
  const sets = new Map<string, Attributes>();
  return (key, build) => {
    let set = sets.get(key);
    if (set === undefined) {
      set = build();
      if (sets.size >= MAX_SETS) return set;
      sets.set(key, Object.freeze(set));
    }
    return set;
  };
}
