/** Drains an upstream's events; on failure returns what arrived and the error. */
import type { UpstreamEvent } from '../../../src/upstream/types.js';

export interface Collected {
  readonly events: UpstreamEvent[];
  readonly error: unknown;
}

export async function collect(events: AsyncIterable<UpstreamEvent>): Promise<Collected> {
  const seen: UpstreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen, error: undefined };
  } catch (error) {
    return { events: seen, error };
  }
}

/** Drains and throws if it failed. */
export async function collectOk(events: AsyncIterable<UpstreamEvent>): Promise<UpstreamEvent[]> {
  const { events: seen, error } = await collect(events);
  if (error !== undefined) throw error;
  return seen;
}
