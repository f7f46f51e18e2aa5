import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageFailureReason } from '../../gen/seedream/v1/events.js';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { OutputFormat, SizeTier } from '../../gen/seedream/v1/types.js';
import { decodeImage } from '../helpers/image-decoders.js';
import { collectStream, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { base64Of, completed, image, scriptedUpstream, wait } from '../helpers/scripted-upstream.js';

describe('ImageService on the embedded simulator', () => {
  let gw: TestGrpcApp;
  beforeAll(async () => {
    gw = await startGrpcApp();
  });
  afterAll(() => gw.close());

  it('lists every model with its spec field, sizes, limits and prices', async () => {
    const { models } = await gw.client.listModels({});
    expect(models.map((m) => m.specField)).toEqual([
      'seedream_3_0',
      'seedream_4_0',
      'seedream_4_5',
      'seedream_5_0_lite',
      'seedream_5_0_pro',
      'seedream_5_0_flash',
      'seedream_5_5',
    ]);
    const m45 = models.find((m) => m.specField === 'seedream_4_5');
    expect(m45).toMatchObject({
      displayName: 'Seedream 4.5',
      modelId: 'doubao-seedream-4-5-251128',
      sizeTiers: [SizeTier.SIZE_TIER_2K, SizeTier.SIZE_TIER_4K],
      defaultSize: { kind: { $case: 'pixels', value: { width: 2048, height: 2048 } } },
      maxReferenceImages: 14,
      supportsImageSet: true,
      supportsNativeStreaming: true,
      outputFormats: [OutputFormat.OUTPUT_FORMAT_JPEG],
      pricePerImage: { currencyCode: 'USD', amountMicros: 40_000 },
    });
    expect(m45?.aliases).toContain('seedream-4-5-251128');
    const m30 = models.find((m) => m.specField === 'seedream_3_0');
    expect(m30).toMatchObject({ sizeTiers: [], options: ['size', 'seed', 'guidance_scale'], maxReferenceImages: 0 });
  });

  it('GenerateImages returns decodable inline images of the reported size, with usage', async () => {
    const res = await gw.client.generateImages({
      spec: testSpec({
        responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
        model: { $case: 'seedream40', value: { modelId: '', size: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_1K } }, imageSet: undefined, promptOptimization: 0 } },
        n: 2,
      }),
    });
    expect(res.images.map((i) => i.index)).toEqual([0, 1]);
    for (const img of res.images) {
      expect(img.content?.$case).toBe('data');
      const bytes = img.content?.$case === 'data' ? img.content.value : Buffer.alloc(0);
      const decoded = decodeImage(bytes);
      expect([decoded.width, decoded.height]).toEqual([img.width, img.height]);
      expect(img.mimeType).toBe('image/jpeg');
      expect(img.expiresAt).toBeUndefined();
    }
    expect(res.usage).toMatchObject({ generatedImages: 2, failedImages: 0 });
    expect(res.model).toBe('doubao-seedream-4-0-250828');
  });

  it('StreamImages delivers URL images one by one and ends with completed', async () => {
    const messages = await collectStream(
      gw.client.streamImages({ spec: testSpec({ model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: { maxImages: 2 } } }, prompt: '2 images of a fox' }) }),
    );
    const kinds = messages.map((m) => m.event?.$case);
    expect(kinds.at(-1)).toBe('completed');
    const images = messages.flatMap((m) => (m.event?.$case === 'image' ? [m.event.value] : []));
    expect(images.length).toBeGreaterThanOrEqual(1);
    const first = images[0];
    expect(first?.content?.$case).toBe('url');
    expect(first?.expiresAt).toBeInstanceOf(Date);
    const url = first?.content?.$case === 'url' ? first.content.value : '';
    // Hosted by default (DESIGN §11): the gateway's own URL, with the hash and size of what it serves.
    expect(url.startsWith(`${gw.httpUrl}/v1/assets/`)).toBe(true);
    const download = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(decodeImage(download)).toMatchObject({ width: first?.width, height: first?.height });
    expect(first?.byteSize).toBe(download.length);
    expect(first?.sha256).toBe(createHash('sha256').update(download).digest('hex'));
  });
});

describe('ImageService event conversion', () => {
  it('streams heartbeats and failures as they happen, and GenerateImages collects them in index order', async () => {
    const upstream = scriptedUpstream(async function* (_call, signal) {
      await wait(120, signal);
      yield image(1, { b64: base64Of(Buffer.from('second').toString('base64')), url: undefined });
      yield { type: 'failure', index: 2, code: 'OutputImageSensitiveContentDetected', message: 'blocked' };
      yield image(0, { b64: base64Of(Buffer.from('first').toString('base64')), url: undefined });
      yield completed(2);
    });
    const gw = await startGrpcApp({ upstream, env: { HEARTBEAT_INTERVAL_MS: '40' } });
    try {
      const spec = testSpec({
        responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
        model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: { maxImages: 3 } } },
      });
      const streamed = await collectStream(gw.client.streamImages({ spec }));
      const kinds = streamed.map((m) => m.event?.$case);
      expect(kinds.slice(0, 1)).toEqual(['heartbeat']);
      expect(kinds.filter((k) => k !== 'heartbeat')).toEqual(['image', 'failure', 'image', 'completed']);
      const heartbeat = streamed[0]?.event;
      expect(heartbeat?.$case === 'heartbeat' && heartbeat.value.elapsed !== undefined && heartbeat.value.elapsed.nanos > 0).toBe(true);
      const failure = streamed.find((m) => m.event?.$case === 'failure')?.event;
      expect(failure?.$case === 'failure' && failure.value).toMatchObject({
        index: 2,
        reason: ImageFailureReason.IMAGE_FAILURE_REASON_CONTENT_MODERATED,
        code: 'OutputImageSensitiveContentDetected',
      });

      const collected = await gw.client.generateImages({ spec });
      expect(collected.images.map((i) => i.index)).toEqual([0, 1]);
      expect(collected.images.map((i) => (i.content?.$case === 'data' ? i.content.value.toString() : ''))).toEqual(['first', 'second']);
      expect(collected.failures.map((f) => f.index)).toEqual([2]);
      expect(collected.usage).toMatchObject({ generatedImages: 2, failedImages: 1, estimatedCost: { currencyCode: 'USD', amountMicros: 80_000 } });
    } finally {
      await gw.close();
    }
  });

  it('relays inline image bytes exactly, streamed and collected, through a generated client', async () => {
    // Random bytes of sizes around the varint widths of the length prefixes, and one past 2 MiB.
    const images = [1, 200, 16_384, 311_001, 2_200_000].map((size) => randomBytes(size));
    const upstream = scriptedUpstream(async function* () {
      for (const [index, data] of images.entries()) yield image(index, { b64: base64Of(data.toString('base64')), url: undefined });
      yield completed(images.length);
    });
    const gw = await startGrpcApp({ upstream });
    try {
      const spec = testSpec({
        responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
        model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: { maxImages: images.length } } },
      });
      const bytesOf = (content: { $case: 'url'; value: string } | { $case: 'data'; value: Uint8Array } | undefined) => (content?.$case === 'data' ? Buffer.from(content.value) : Buffer.alloc(0));
      const streamed = (await collectStream(gw.client.streamImages({ spec }))).flatMap((m) => (m.event?.$case === 'image' ? [m.event.value] : []));
      const collected = (await gw.client.generateImages({ spec })).images;
      for (const received of [streamed, collected]) {
        expect(received.map((i) => i.index)).toEqual(images.map((_, index) => index));
        for (const [index, data] of images.entries()) expect(bytesOf(received[index]?.content).equals(data)).toBe(true);
      }
    } finally {
      await gw.close();
    }
  });

  it('writes one log line per call with the key name, model and status', async () => {
    const gw = await startGrpcApp({ upstream: scriptedUpstream(async function* () { yield image(0); yield completed(1); }), withKey: true });
    try {
      await gw.client.generateImages({ spec: testSpec() }, { metadata: gw.auth() });
      const line = gw.logs.find((l) => l.msg === 'call');
      expect(line).toMatchObject({ method: '/seedream.v1.ImageService/GenerateImages', keyName: 'test-caller', model: 'seedream_4_5', status: 'OK' });
      expect(JSON.stringify(gw.logs)).not.toContain('sk-gateway-test-key');
    } finally {
      await gw.close();
    }
  });
});
