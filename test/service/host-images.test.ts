/**
 * The hosting stage over a call's event stream: images of one call are hosted at the same time (at
 * most `concurrency`), every event still leaves in the order it came, an upstream error comes after
 * what preceded it, a caller who has gone ends the stream with the cancel, and a consumer that stops
 * early closes the upstream generator.
 */
import { describe, expect, it } from 'vitest';
import { hostImages } from '../../src/service/host-images.js';
import type { ImageHosting } from '../../src/service/image-hosting.js';
import type { DeliveredImage, GenerationEvent } from '../../src/service/types.js';

const image = (index: number): GenerationEvent => ({
  type: 'image',
  image: {
    index,
    requestIndex: index,
    setIndex: 0,
    content: { kind: 'url', url: `https://tos.volces.com/${index}.jpeg`, expiresAt: new Date('2026-12-01T00:00:00Z') },
    mimeType: 'image/jpeg',
    width: 1024,
    height: 1024,
  },
});
const heartbeat: GenerationEvent = { type: 'heartbeat', elapsedMs: 1, imagesDelivered: 0, imagesFailed: 0 };
const completed = { type: 'completed', model: 'm', usage: { generatedImages: 3 } } as unknown as GenerationEvent;

/** A hosting whose `host` calls wait until released by hand; records how many ran at once. */
function manualHosting() {
  const waiting = new Map<number, () => void>();
  let running = 0;
  let maxRunning = 0;
  const hosting: ImageHosting = {
    appliesTo: () => true,
    host: (delivered: DeliveredImage, signal: AbortSignal) =>
      new Promise<DeliveredImage>((resolve, reject) => {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        const done = () => {
          running -= 1;
          resolve({ ...delivered, content: { ...delivered.content, url: `https://gateway/${delivered.index}` } } as DeliveredImage);
        };
        waiting.set(delivered.index, done);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      }),
  };
  const release = (index: number) => waiting.get(index)?.();
  return { hosting, release, maxRunning: () => maxRunning, started: () => [...waiting.keys()] };
}

/** An upstream of `events` (then `error`, if given) that records how far it was read and whether it was closed. */
function upstreamOf(events: GenerationEvent[], error?: Error) {
  const state = { read: 0, closed: false };
  const generator = (async function* () {
    try {
      for (const event of events) {
        state.read += 1;
        yield event;
      }
      if (error !== undefined) throw error;
    } finally {
      state.closed = true;
    }
  })();
  return { generator, state };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

async function collect(stream: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const event of stream) out.push(event);
  return out;
}

const urlOf = (event: GenerationEvent | undefined) => (event?.type === 'image' && event.image.content.kind === 'url' ? event.image.content.url : event?.type);

describe('hosting the images of a call', () => {
  it('hosts images that arrive together at the same time, and delivers every event in arrival order', async () => {
    const { hosting, release, maxRunning, started } = manualHosting();
    const { generator } = upstreamOf([image(0), heartbeat, image(1), image(2), completed]);
    const out = collect(hostImages(generator, hosting, new AbortController().signal, 4));
    await settle();
    expect(started()).toEqual([0, 1, 2]); // all three downloads under way before the first is stored
    for (const index of [2, 1, 0]) release(index); // the last finishes first
    expect((await out).map(urlOf)).toEqual(['https://gateway/0', 'heartbeat', 'https://gateway/1', 'https://gateway/2', 'completed']);
    expect(maxRunning()).toBe(3);
  });

  it('hosts at most `concurrency` images at once, and reads no further ahead meanwhile', async () => {
    const { hosting, release, maxRunning, started } = manualHosting();
    const { generator, state } = upstreamOf([image(0), image(1), image(2), image(3), completed]);
    const out = collect(hostImages(generator, hosting, new AbortController().signal, 2));
    await settle();
    expect(started()).toEqual([0, 1]);
    expect(state.read).toBe(2);
    release(1);
    await settle();
    expect(started()).toEqual([0, 1]); // image 1 is done, but it waits behind image 0: still two in hand
    release(0);
    await settle();
    release(2);
    release(3);
    expect((await out).map(urlOf)).toEqual(['https://gateway/0', 'https://gateway/1', 'https://gateway/2', 'https://gateway/3', 'completed']);
    expect(maxRunning()).toBe(2);
  });

  it('delivers what came before an upstream error, then the error', async () => {
    const { hosting, release } = manualHosting();
    const { generator } = upstreamOf([image(0), image(1)], new Error('upstream reset'));
    const stream = hostImages(generator, hosting, new AbortController().signal, 4);
    const out: GenerationEvent[] = [];
    const done = (async () => {
      for await (const event of stream) out.push(event);
    })();
    await settle();
    release(0);
    release(1);
    await expect(done).rejects.toThrow('upstream reset');
    expect(out.map(urlOf)).toEqual(['https://gateway/0', 'https://gateway/1']);
  });

  it('ends with the cancel when the caller goes while images are being hosted, and closes the upstream', async () => {
    const { hosting } = manualHosting();
    const { generator, state } = upstreamOf([image(0), image(1), completed]);
    const controller = new AbortController();
    const out = collect(hostImages(generator, hosting, controller.signal, 4));
    await settle();
    const reason = new Error('the caller cancelled');
    controller.abort(reason);
    await expect(out).rejects.toBe(reason);
    await settle();
    expect(state.closed).toBe(true);
  });

  it('closes the upstream when the consumer stops early, even with a read-ahead under way', async () => {
    const { hosting, release } = manualHosting();
    let unblock: () => void = () => undefined;
    const state = { closed: false };
    const generator = (async function* () {
      try {
        yield image(0);
        await new Promise<void>((resolve) => (unblock = resolve)); // a render still going
        yield image(1);
      } finally {
        state.closed = true;
      }
    })();
    const stream = hostImages(generator, hosting, new AbortController().signal, 4);
    const first = stream.next();
    await settle();
    release(0);
    expect(urlOf((await first).value as GenerationEvent)).toBe('https://gateway/0');
    await stream.return(undefined);
    unblock();
    await settle();
    expect(state.closed).toBe(true);
  });
});
