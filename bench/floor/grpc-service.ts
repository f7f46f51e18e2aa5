/**
 * The floor's ImageService: the generated definition wrapped as the gateway wraps it (full messages,
 * encoded once), each call one upstream relay.
 */
import { createServer, ServerError, Status, type Server, type ServiceImplementation } from 'nice-grpc';
import type { GeneratedImage } from '../../gen/seedream/v1/events.js';
import { ImageServiceDefinition } from '../../gen/seedream/v1/image_service.js';
import { fullMessageServiceDefinition } from '../../src/grpc/service-definition.js';
import type { RelayedImage, UpstreamRelay } from './upstream-relay.js';

function unimplemented(): never {
  throw new ServerError(Status.UNIMPLEMENTED, 'the floor server has no jobs');
}

export function createFloorGrpcServer(relay: UpstreamRelay): Server {
  const server = createServer({ 'grpc.max_send_message_length': -1 });
  const definition = fullMessageServiceDefinition(ImageServiceDefinition);
  const implementation: ServiceImplementation<typeof definition> = {
    async generateImages(request) {
      const { model, images } = await relay.generate(request.spec?.prompt ?? '');
      return { images: images.map(imageMessage), failures: [], usage: undefined, model };
    },
    async *streamImages(request) {
      const { model, images } = await relay.generate(request.spec?.prompt ?? '');
      for (const image of images.map(imageMessage)) yield { event: { $case: 'image', value: image } };
      yield { event: { $case: 'completed', value: { usage: undefined, model } } };
    },
    async listModels() {
      return { models: [] };
    },
    // The floor measures the generation path only: it has no jobs.
    createImageJob: unimplemented,
    getImageJob: unimplemented,
    watchImageJob: unimplemented,
    cancelImageJob: unimplemented,
    listImageJobs: unimplemented,
  };
  server.add(definition, implementation);
  return server;
}

function imageMessage(image: RelayedImage, index: number): GeneratedImage {
  const [width, height] = image.size.split('x').map(Number);
  return {
    index,
    content: { $case: 'url', value: image.url },
    expiresAt: undefined,
    mimeType: 'image/jpeg',
    width: width ?? 0,
    height: height ?? 0,
    requestIndex: 0,
    setIndex: index,
    sha256: '',
    byteSize: 0,
    warning: '',
  };
}
