/**
 * The hosting stage of a call's event stream (DESIGN §11): every image is hosted before it is yielded,
 * other events pass through, and everything leaves in the order it came. Up to `concurrency` images of
 * one call are hosted at the same time: when images arrive together — the `n` independent requests of
 * a fan-out finishing close to each other, an upstream JSON answer with a whole set — the second image's
 * download no longer waits for the first one's, so the last image of a set is delivered after about one
 * hosting time instead of the sum of them. Images that arrive one render apart (a streamed set) cost
 * what they did before: there is nothing to overlap.
 */
import type { ImageHosting } from './image-hosting.js';
import type { GenerationEvent } from './types.js';
import type { CancelSignal } from '../cancel-signal.js';

/** Images of one call hosted at the same time, at most (each holds at most two write batches, 2 MiB). */
export const HOSTING_CONCURRENCY = 4;

const HEAD = Symbol('head');
const NEXT = Symbol('next');
const ignore = () => undefined;

/** `events` with every image hosted before it is yielded; other events unchanged; order kept. */
export async function* hostImages(
  events: AsyncIterable<GenerationEvent>,
  hosting: ImageHosting,
  signal: CancelSignal,
  concurrency = HOSTING_CONCURRENCY,
): AsyncGenerator<GenerationEvent> {
  const upstream = events[Symbol.asyncIterator]();
  // Events in arrival order; an image's entry is its hosting, started when it arrived. A hosting
  // rejects only when the caller has gone (image-hosting.ts); until it is awaited, that is not unhandled.
  const queue: Promise<GenerationEvent>[] = [];
  let imagesQueued = 0;
  let next: Promise<IteratorResult<GenerationEvent>> | undefined;
  let ended = false;
  let failure: { error: unknown } | undefined;

  const take = (result: IteratorResult<GenerationEvent>) => {
    next = undefined;
    if (result.done === true) {
      ended = true;
      return;
    }
    const event = result.value;
    if (event.type === 'image') {
      const hosted = hosting.host(event.image, signal).then((image): GenerationEvent => ({ type: 'image', image }));
      hosted.catch(ignore);
      queue.push(hosted);
      imagesQueued += 1;
    } else {
      queue.push(Promise.resolve(event));
    }
  };
  const read = () => {
    next ??= upstream.next();
    return next;
  };

  try {
    for (;;) {
      if (queue.length === 0) {
        if (ended) break;
        take(await read()); // nothing to deliver first: an upstream error goes straight to the caller
        continue;
      }
      // While the oldest event waits for its image, read on — until `concurrency` images are in hand.
      if (!ended && imagesQueued < concurrency) {
        const pending = read();
        const first = await Promise.race([queue[0]!.then(() => HEAD, () => HEAD), pending.then(() => NEXT, () => NEXT)]);
        if (first === NEXT) {
          try {
            take(await pending);
          } catch (error) {
            // Delivered after everything that came before it, as without the read-ahead.
            failure = { error };
            ended = true;
            next = undefined;
          }
          continue;
        }
      }
      const event = await queue.shift()!;
      if (event.type === 'image') imagesQueued -= 1;
      yield event;
    }
    if (failure !== undefined) throw failure.error;
  } finally {
    // The consumer stopped early (or the caller went): close the upstream generator. One still busy
    // with a read-ahead cannot be closed before that read settles (the caller's signal ends it at
    // once when the caller has gone), so it is closed then.
    if (next !== undefined) void next.then(() => upstream.return?.(), ignore).catch(ignore);
    else await upstream.return?.();
  }
}
