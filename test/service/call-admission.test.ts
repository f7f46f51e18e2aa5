import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { GatewayError, isGatewayError } from '../../src/errors.js';
import { createImageGenerator } from '../../src/service/image-generator.js';
import type { ImageHosting } from '../../src/service/image-hosting.js';
import type { DeliveredImage, GenerationEvent, GenerationSpec } from '../../src/service/types.js';
import type { CallAccounting } from '../../src/usage/call-accounting.js';
import { completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

// Without hosting the run admits the call itself (call-admission.ts, run-generation.ts) instead of
// being wrapped by a generator that did it; these pin the order of effects that wrapper had.

const spec: GenerationSpec = { model: 'seedream_4_5', prompt: 'p', referenceImages: [], responseFormat: 'url', n: 1 } as never;
const context = (effects: string[]) => ({ signal: new AbortController().signal, caller: { keyName: 'k' }, onAdmitted: () => effects.push('admitted') });

function fakeAccounting(effects: string[], refuse = false): CallAccounting & { channels: string[]; seen: string[] } {
  const channels: string[] = [];
  const seen: string[] = [];
  return {
    channels,
    seen,
    async begin() {
      effects.push('begin');
      if (refuse) throw new GatewayError('QUOTA_EXCEEDED', 'no quota left');
      return {
        onChannel: (_index: number, channel: string) => channels.push(channel),
        observe: (event: GenerationEvent) => seen.push(event.type),
        async end(failed: boolean) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          effects.push(`end failed=${failed}`);
        },
      };
    },
  };
}

const reasonOf = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isGatewayError(error) ? error.reason : String(error)));

async function drain(events: AsyncIterable<GenerationEvent>): Promise<string[]> {
  const types: string[] = [];
  for await (const event of events) types.push(event.type);
  return types;
}

describe('a generation admits itself (no hosting)', () => {
  const upstream = () =>
    scriptedUpstream(async function* () {
      yield image(0);
      yield completed(1);
    });

  it('takes the slot, begins accounting, tells the edge, observes every event, settles before freeing the slot', async () => {
    const effects: string[] = [];
    const accounting = fakeAccounting(effects);
    const config = loadConfig({ MAX_CONCURRENT_GENERATIONS: '1', HEARTBEAT_INTERVAL_MS: '0' });
    const generator = createImageGenerator({ upstream: upstream(), config, region: 'cn', accounting });
    const events = generator.generate(spec, context(effects));
    expect(effects).toEqual([]); // nothing before the first next()
    expect(generator.active).toBe(0);
    const types = await drain(events);
    expect(types).toEqual(['image', 'completed']);
    expect(accounting.seen).toEqual(['image', 'completed']);
    expect(effects).toEqual(['begin', 'admitted', 'end failed=false']);
    expect(generator.active).toBe(0);
  });

  /** One accounted call, not yet started; `effects` records the order of admission and settlement. */
  const accountedCall = (effects: string[]) => {
    const config = loadConfig({ MAX_CONCURRENT_GENERATIONS: '1', HEARTBEAT_INTERVAL_MS: '0' });
    const generator = createImageGenerator({ upstream: upstream(), config, region: 'cn', accounting: fakeAccounting(effects) });
    return { generator, iterator: generator.generate(spec, context(effects))[Symbol.asyncIterator]() };
  };

  it('holds the slot until accounting has settled', async () => {
    const { generator, iterator } = accountedCall([]);
    await iterator.next();
    await iterator.next(); // completed
    const ending = iterator.next();
    expect(generator.active).toBe(1);
    await ending;
    expect(generator.active).toBe(0);
  });

  it('counts a call whose consumer stops before completed as failed', async () => {
    const effects: string[] = [];
    const { generator, iterator } = accountedCall(effects);
    expect((await iterator.next()).value?.type).toBe('image');
    await iterator.return?.(undefined);
    expect(effects).toEqual(['begin', 'admitted', 'end failed=true']);
    expect(generator.active).toBe(0);
  });

  it('refused by the concurrency limit: no accounting; refused by accounting: the slot is freed, the edge not told', async () => {
    const effects: string[] = [];
    const config = loadConfig({ MAX_CONCURRENT_GENERATIONS: '1', HEARTBEAT_INTERVAL_MS: '0' });
    const held = createImageGenerator({ upstream: upstream(), config, region: 'cn', accounting: fakeAccounting(effects) });
    const first = held.generate(spec, context(effects))[Symbol.asyncIterator]();
    await first.next();
    expect(await reasonOf(drain(held.generate(spec, context(effects))))).toBe('CONCURRENCY_LIMITED');
    expect(effects).toEqual(['begin', 'admitted']);
    await first.return?.(undefined);

    const refusing: string[] = [];
    const generator = createImageGenerator({ upstream: upstream(), config, region: 'cn', accounting: fakeAccounting(refusing, true) });
    expect(await reasonOf(drain(generator.generate(spec, context(refusing))))).toBe('QUOTA_EXCEEDED');
    expect(refusing).toEqual(['begin']);
    expect(generator.active).toBe(0);
  });
});

describe('a hosted generation is admitted around hosting', () => {
  // Hosting that gives every image the gateway's own URL at once.
  const hosting: ImageHosting = {
    appliesTo: () => true,
    host: async (image: DeliveredImage) => ({ ...image, content: { kind: 'url', url: `https://gateway/${image.index}` } }) as DeliveredImage,
  };
  const start = (effects: string[], accounting: CallAccounting) => {
    const upstream = scriptedUpstream(async function* () {
      yield image(0);
      yield completed(1);
    });
    const generator = createImageGenerator({ upstream, config: loadConfig({ HEARTBEAT_INTERVAL_MS: '0' }), region: 'cn', accounting, hosting });
    return { generator, iterator: generator.generate(spec, context(effects))[Symbol.asyncIterator]() };
  };

  it('accounts the hosted events and settles the call as a success once completed was given', async () => {
    const effects: string[] = [];
    const accounting = fakeAccounting(effects);
    const { generator, iterator } = start(effects, accounting);
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'image', image: { content: { url: 'https://gateway/0' } } });
    while ((await iterator.next()).done !== true);
    expect(accounting.seen).toEqual(['image', 'completed']);
    expect(effects).toEqual(['begin', 'admitted', 'end failed=false']);
    expect(generator.active).toBe(0);
  });

  it('settles it as failed when the consumer stops before completed', async () => {
    const effects: string[] = [];
    const { generator, iterator } = start(effects, fakeAccounting(effects));
    await iterator.next();
    await iterator.return?.(undefined);
    expect(effects).toEqual(['begin', 'admitted', 'end failed=true']);
    expect(generator.active).toBe(0);
  });
});
