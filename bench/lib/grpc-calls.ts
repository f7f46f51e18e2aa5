/**
 * gRPC load calls with the generated nice-grpc client: unary GenerateImages and server-streaming
 * StreamImages, each answer checked (every image delivered, a `completed` event ending a stream).
 */
import { createChannel, createClient, Metadata, type Channel } from 'nice-grpc';
import {
  ImageServiceDefinition,
  type GenerateImagesResponse,
  type ImageServiceClient,
  type StreamImagesRequest,
} from '../../gen/seedream/v1/image_service.js';
import type { GeneratedImage } from '../../gen/seedream/v1/events.js';
import type { LoadCall } from './closed-loop.js';
import type { ContentCheck } from './content-check.js';
import { base64Length, type AnswerContent } from './response-content.js';

export interface GrpcConnection {
  readonly client: ImageServiceClient;
  close(): void;
}

/**
 * A client on its own HTTP/2 connection: channels with equal options would share one subchannel in
 * grpc-js, so several of them are needed to get past GRPC_MAX_CONCURRENT_STREAMS per connection.
 */
export function connectGrpc(address: string, maxReceiveBytes?: number, flowControlWindowBytes?: number): GrpcConnection {
  const channel: Channel = createChannel(address, undefined, {
    'grpc.use_local_subchannel_pool': 1,
    // grpc-js refuses messages over 4 MiB by default; a 2K Seedream image as bytes can pass that.
    ...(maxReceiveBytes !== undefined && { 'grpc.max_receive_message_length': maxReceiveBytes }),
    // grpc-js keeps HTTP/2's 64 KiB receive window unless told (docs/grpc.md, "Receiving images as bytes").
    ...(flowControlWindowBytes !== undefined && { 'grpc-node.flow_control_window': flowControlWindowBytes }),
  });
  return { client: createClient(ImageServiceDefinition, channel), close: () => channel.close() };
}

/** `authorization: Bearer <key>` metadata. */
export function bearer(key: string): Metadata {
  return Metadata({ authorization: `Bearer ${key}` });
}

export function unaryCall(client: ImageServiceClient, request: StreamImagesRequest, key: string, content: ContentCheck): LoadCall {
  const metadata = bearer(key);
  return async () => {
    const response: GenerateImagesResponse = await client.generateImages(request, { metadata });
    if (response.failures.length > 0) throw new Error(`GenerateImages delivered failures: ${JSON.stringify(response.failures)}`);
    const delivered = contentOf(response.images);
    content.check(delivered.base64Bytes, () => delivered);
  };
}

export function streamCall(client: ImageServiceClient, request: StreamImagesRequest, key: string, content: ContentCheck): LoadCall {
  const metadata = bearer(key);
  return async () => {
    const images: GeneratedImage[] = [];
    let completed = false;
    for await (const message of client.streamImages(request, { metadata })) {
      const event = message.event;
      if (event?.$case === 'image') images.push(event.value);
      else if (event?.$case === 'completed') completed = true;
      else if (event?.$case !== 'heartbeat') throw new Error(`StreamImages sent ${JSON.stringify(event)}`);
    }
    if (!completed) throw new Error('StreamImages ended without a completed event');
    const delivered = contentOf(images);
    content.check(delivered.base64Bytes, () => delivered);
  };
}

/** Images delivered and the base64 size their bytes would have had in JSON. */
function contentOf(images: readonly GeneratedImage[]): AnswerContent {
  let base64Bytes = 0;
  for (const image of images) {
    const body = image.content;
    if (body === undefined) throw new Error(`image ${image.index} without content`);
    if (body.$case === 'data') base64Bytes += base64Length(body.value.length);
  }
  if (images.length === 0) throw new Error('no image delivered');
  return { images: images.length, base64Bytes };
}
