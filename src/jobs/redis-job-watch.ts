/**
 * Follows one job's event stream in Redis as any replica appends to it, through the store's shared
 * stream follower (one blocking `XREAD` for all watchers of this replica): an event reaches the watcher
 * as soon as Redis has it. Ends after the terminal `state` event, when the job has expired, when the
 * caller aborts, or when the store is closed.
 */
import type { CancelSignal } from '../cancel-signal.js';
import type { Redis } from 'ioredis';
import { isTerminalStateEvent } from './job-events.js';
import type { JobEvent } from './job-types.js';
import { jobEventFromStreamEntry } from './redis-job-record.js';
import type { RedisJobKeys } from './redis-keys.js';
import type { StreamEntry, StreamFollower } from './redis-stream-follower.js';

/** How long a watcher waits without events before it checks that the job still exists (ms). */
const existenceCheckMs = 5_000;

export async function* watchRedisJob(
  redis: Redis,
  follower: StreamFollower,
  keys: RedisJobKeys,
  id: string,
  afterSeq: number,
  signal: CancelSignal,
): AsyncIterable<JobEvent> {
  if (signal.aborted || (await redis.exists(keys.job(id))) === 0) return;
  const queue: StreamEntry[] = [];
  let wake: (() => void) | undefined;
  const stopFollowing = follower.follow(keys.events(id), `0-${Math.max(0, afterSeq)}`, (entries) => {
    queue.push(...entries);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!signal.aborted && !follower.isClosed()) {
      const entry = queue.shift();
      if (entry !== undefined) {
        const event = jobEventFromStreamEntry(entry);
        yield event;
        if (isTerminalStateEvent(event)) return;
        continue;
      }
      const idle = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), existenceCheckMs);
        wake = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      wake = undefined;
      if (idle && (await redis.exists(keys.job(id))) === 0) return;
    }
  } finally {
    stopFollowing();
    signal.removeEventListener('abort', onAbort);
  }
}
