import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createImageGenerator } from '../../src/service/image-generator.js';
import { HeartbeatPacer, TICK, withHeartbeats } from '../../src/service/heartbeats.js';
import type { GenerationEvent } from '../../src/service/types.js';
import { completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

// The core races its own pulls against the heartbeat timer (run-generation.ts) instead of reading
// through withHeartbeats; these pin what that merge must keep: heartbeats while the upstream is silent,
// with the counts so far, and no read-ahead of the upstream.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A full collection, after the current job (WeakRefs keep their targets until it ends). */
async function collectGarbage(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  await new Promise((resolve) => setImmediate(resolve));
  gc();
}

describe('heartbeats in the core', () => {
  it('inserts heartbeats while the upstream is silent, counting what was delivered, and never reads ahead', async () => {
    let pulled = 0;
    const upstream = scriptedUpstream(async function* () {
      pulled++;
      yield image(0);
      await sleep(120);
      pulled++;
      yield image(1);
      pulled++;
      yield completed(2);
    });
    const config = loadConfig({ HEARTBEAT_INTERVAL_MS: '30' });
    const generator = createImageGenerator({ upstream, config, region: 'cn' });
    const events: GenerationEvent[] = [];
    const iterator = generator.generate({ model: 'seedream_4_5', prompt: 'p', referenceImages: [], responseFormat: 'url', n: 1, imageSet: { maxImages: 2 } } as never, { signal: new AbortController().signal, caller: { keyName: 't' } })[Symbol.asyncIterator]();
    const first = await iterator.next();
    events.push(first.value as GenerationEvent);
    // The consumer holds the first image: the upstream was not asked for the next event meanwhile.
    await sleep(80);
    expect(pulled).toBe(1);
    for (;;) {
      const next = await iterator.next();
      if (next.done === true) break;
      events.push(next.value);
    }
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('image');
    expect(types.at(-1)).toBe('completed');
    const beats = events.filter((e): e is Extract<GenerationEvent, { type: 'heartbeat' }> => e.type === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((b) => b.imagesDelivered === 1 && b.imagesFailed === 0)).toBe(true);
    expect(types.indexOf('heartbeat')).toBeLessThan(types.lastIndexOf('image'));
  });

  it('sends none when the interval is 0', async () => {
    const upstream = scriptedUpstream(async function* () {
      await sleep(50);
      yield image(0);
      yield completed(1);
    });
    const generator = createImageGenerator({ upstream, config: loadConfig({ HEARTBEAT_INTERVAL_MS: '0' }), region: 'cn' });
    const events: GenerationEvent[] = [];
    for await (const event of generator.generate({ model: 'seedream_4_5', prompt: 'p', referenceImages: [], responseFormat: 'url', n: 1 } as never, { signal: new AbortController().signal, caller: { keyName: 't' } })) events.push(event);
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
  });
});

describe('HeartbeatPacer and withHeartbeats', () => {
  it('ticks again and again on one pull until it settles, then gives its result', async () => {
    const pacer = new HeartbeatPacer(20);
    const pending = sleep(70).then(() => 'value');
    let ticks = 0;
    let result = await pacer.race(pending);
    while (result === TICK) {
      ticks++;
      result = await pacer.race(pending);
    }
    pacer.stop();
    expect(result).toBe('value');
    expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it('keeps no value it raced once the consumer has it: a long stream does not hold every image it relayed', async () => {
    const pacer = new HeartbeatPacer(60_000);
    const relayed: WeakRef<object>[] = [];
    for (let i = 0; i < 4; i++) {
      const value = await pacer.race(Promise.resolve({ image: Buffer.alloc(1024, i) }));
      if (value !== TICK) relayed.push(new WeakRef(value));
    }
    await collectGarbage();
    // The pacer references only the race in progress (the last one, until the next pull or stop()).
    expect(relayed.slice(0, 3).map((ref) => ref.deref())).toEqual([undefined, undefined, undefined]);
    pacer.stop();
  });

  it('leaves no unhandled rejection when the consumer stops at a heartbeat and the pull fails later', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const source = {
        [Symbol.asyncIterator]: () => ({
          next: () => sleep(40).then(() => Promise.reject(new Error('late failure'))),
          return: async () => ({ done: true as const, value: undefined }),
        }),
      };
      const iterator = withHeartbeats(source, 10, () => 'beat')[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toBe('beat');
      await iterator.return?.(undefined);
      await sleep(80);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
