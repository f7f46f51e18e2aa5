/**
 * Follows one job's event stream in Redis as other replicas append to it: XREAD BLOCK on a connection
 * of its own (a blocked connection can carry nothing else), so an event reaches the watcher as soon as
 * Redis has it — no polling delay. Ends after the terminal `state` event, when the job is gone, or when
 * the caller aborts (the connection is dropped, which ends the blocked read at once).
 */
import type { Redis } from 'ioredis';
import { isTerminalStateEvent } from './job-events.js';
import type { JobEvent } from './job-types.js';
import { jobEventFromStreamEntry } from './redis-job-record.js';
import type { RedisJobKeys } from './redis-keys.js';

/** How long one blocked read waits before checking that the job still exists (ms). */
const blockMs = 5_000;

type XReadReply = [string, [string, string[]][]][] | null;

export async function* watchRedisJob(
  redis: Redis,
  keys: RedisJobKeys,
  id: string,
  afterSeq: number,
  signal: AbortSignal,
): AsyncIterable<JobEvent> {
  if (signal.aborted || (await redis.exists(keys.job(id))) === 0) return;
  const reader = redis.duplicate();
  const stop = () => reader.disconnect();
  signal.addEventListener('abort', stop, { once: true });
  let last = `0-${Math.max(0, afterSeq)}`;
  try {
    while (!signal.aborted) {
      let reply: XReadReply;
      try {
        reply = (await reader.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', keys.events(id), last)) as XReadReply;
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) {
        if ((await redis.exists(keys.job(id))) === 0) return;
        continue;
      }
      for (const entry of entries) {
        last = entry[0];
        const event = jobEventFromStreamEntry(entry);
        yield event;
        if (isTerminalStateEvent(event)) return;
      }
    }
  } finally {
    signal.removeEventListener('abort', stop);
    reader.disconnect();
  }
}
