/**
 * One blocking reader per store for every job being watched on this replica: a single `XREAD BLOCK`
 * over all followed streams, instead of a Redis connection per watcher (1,000 waiting callers would
 * otherwise be 1,000 connections per replica). A new follower interrupts the blocked read with
 * `CLIENT UNBLOCK` so its stream joins the next read at once; the short block bound covers the moment
 * when the reader was between two reads.
 */
import type { Redis } from 'ioredis';

/** A stream entry as ioredis returns it: `[id, [field, value, …]]`. */
export type StreamEntry = [string, string[]];

interface Follower {
  /** Id of the last entry delivered to this follower. */
  last: string;
  readonly deliver: (entries: readonly StreamEntry[]) => void;
}

export interface StreamFollower {
  /** Calls `deliver` with the entries after `afterId` as they arrive, until the returned function is
   *  called. Entries are delivered in order, each once. */
  follow(key: string, afterId: string, deliver: (entries: readonly StreamEntry[]) => void): () => void;
  /** True once closed: followers get no more entries. */
  isClosed(): boolean;
  /** Stops reading; every follower is called once more with no entries, so watchers notice. */
  close(): void;
}

type XReadReply = [string, StreamEntry[]][] | null;

/** Longest a read blocks before it is re-issued with the current set of streams (ms). */
const blockMs = 250;
/** After a failed read (connection lost), wait this long before the next one (ms). */
const retryMs = 200;

function compareIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs - bMs || aSeq - bSeq;
}

export function createStreamFollower(redis: Redis): StreamFollower {
  const followers = new Map<string, Set<Follower>>();
  let reader: Redis | undefined;
  let readerId: number | undefined;
  let reading = false;
  let closed = false;

  async function unblock(): Promise<void> {
    if (readerId !== undefined) await redis.client('UNBLOCK', readerId).catch(() => 0);
  }

  async function readLoop(): Promise<void> {
    reading = true;
    reader ??= redis.duplicate();
    while (followers.size > 0 && !closed) {
      const keys = [...followers.keys()];
      // Per stream, read from the follower furthest behind; each follower skips what it already has.
      const ids = keys.map((key) => [...(followers.get(key) ?? [])].map((f) => f.last).sort(compareIds)[0] ?? '0-0');
      let reply: XReadReply;
      try {
        readerId ??= Number(await reader.client('ID'));
        reply = (await reader.xread('COUNT', 100, 'BLOCK', blockMs, 'STREAMS', ...keys, ...ids)) as XReadReply;
      } catch {
        // The connection was lost: ioredis reconnects, under a new client id.
        readerId = undefined;
        if (closed) break;
        await new Promise((resolve) => setTimeout(resolve, retryMs));
        continue;
      }
      for (const [key, entries] of reply ?? []) {
        for (const follower of followers.get(key) ?? []) {
          const fresh = entries.filter(([id]) => compareIds(id, follower.last) > 0);
          const newest = fresh.at(-1);
          if (newest === undefined) continue;
          follower.last = newest[0];
          follower.deliver(fresh);
        }
      }
    }
    reading = false;
  }

  return {
    follow(key, afterId, deliver) {
      const follower: Follower = { last: afterId, deliver };
      let set = followers.get(key);
      if (set === undefined) followers.set(key, (set = new Set()));
      set.add(follower);
      if (!reading) void readLoop();
      else void unblock();
      return () => {
        set.delete(follower);
        if (set.size === 0 && followers.get(key) === set) followers.delete(key);
      };
    },
    isClosed: () => closed,
    close() {
      closed = true;
      const last = [...followers.values()].flatMap((set) => [...set]);
      followers.clear();
      reader?.disconnect();
      for (const follower of last) follower.deliver([]);
    },
  };
}
