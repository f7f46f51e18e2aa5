/**
 * StreamImages respects back-pressure: while a client does not read, the gateway stops pulling events
 * from the core (and so from the upstream) instead of buffering the whole stream (DESIGN §8).
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { StreamImagesRequest, StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import { startGrpcApp, testSpec } from '../helpers/grpc-app.js';
import { base64Of, completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

// More messages than a paused grpc-js client buffers (16) plus what HTTP/2 windows hold in flight.
const SET = 15;
const N = 4;
const IMAGES = SET * N;
const IMAGE_BYTES = 256 * 1024;

describe('StreamImages back-pressure', () => {
  it('pulls no further events while the client is not reading, and delivers everything once it reads', async () => {
    let produced = 0;
    const b64 = base64Of(Buffer.alloc(IMAGE_BYTES, 7).toString('base64'));
    const upstream = scriptedUpstream(async function* () {
      for (let i = 0; i < SET; i += 1) {
        produced += 1;
        yield image(i, { b64, url: undefined });
      }
      yield completed(SET);
    });
    const gw = await startGrpcApp({ upstream, env: { MAX_IMAGES_PER_REQUEST: String(IMAGES) } });
    const client = new grpc.Client(gw.address, grpc.credentials.createInsecure());
    try {
      const spec = testSpec({
        responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
        n: N,
        model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: { maxImages: SET } } },
      });
      const call = client.makeServerStreamRequest(
        '/seedream.v1.ImageService/StreamImages',
        (message: StreamImagesRequest) => Buffer.from(StreamImagesRequest.encode(message).finish()),
        (bytes: Buffer) => StreamImagesResponse.decode(bytes),
        { spec, requestId: '' },
      );
      const received: StreamImagesResponse[] = [];
      const ended = new Promise<void>((resolve, reject) => {
        call.on('end', resolve);
        call.on('error', reject);
      });
      await new Promise<void>((resolve) => {
        call.once('data', (message: StreamImagesResponse) => {
          received.push(message);
          call.pause(); // a slow reader: read nothing more for a while
          resolve();
        });
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const producedWhilePaused = produced;
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The client's buffer and the HTTP/2 windows hold some images; then production stops.
      expect(produced).toBe(producedWhilePaused);
      expect(producedWhilePaused).toBeLessThan(IMAGES);

      call.on('data', (message: StreamImagesResponse) => received.push(message));
      call.resume();
      await ended;
      expect(received.filter((m) => m.event?.$case === 'image')).toHaveLength(IMAGES);
      expect(received.at(-1)?.event?.$case).toBe('completed');
      expect(produced).toBe(IMAGES);
      expect(producedWhilePaused).toBeGreaterThan(0);
    } finally {
      client.close();
      await gw.close();
    }
  });
});
