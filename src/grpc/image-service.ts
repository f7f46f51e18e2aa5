/**
 * The `seedream.v1.ImageService` handlers: translate the request, call the core, translate its events.
 * Nothing here decides what a request means (DESIGN §2); errors are left to the error middleware.
 */
import type { Histogram } from '@opentelemetry/api';
import type { ServiceImplementation } from 'nice-grpc';
import type { CallContext } from 'nice-grpc-common';
import { ImageServiceDefinition, type GenerateImagesResponse, type ListModelsResponse, type StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import type { DurableGenerations } from '../jobs/durable-generations.js';
import type { ImageGenerator } from '../service/image-generator.js';
import type { GenerateContext, GenerationEvent, GenerationSpec } from '../service/types.js';
import type { CallerContext } from './auth-middleware.js';
import { deadlineFromMetadata } from './call-deadline.js';
import { streamResponseFromEvent } from './events-to-proto.js';
import { generateResponseFromEvents } from './generate-response-from-events.js';
import { createImageJobHandlers } from './image-job-handlers.js';
import { bytesForNiceGrpc, encodeGenerateImagesResponse, encodeStreamImagesResponse } from './image-response-encoding.js';
import { modelInfoFromListing } from './model-info-from-listing.js';
import { fullMessageServiceDefinition } from './service-definition.js';
import { specFromProto } from '../contract/spec-from-proto.js';
import { msText, OVERHEAD_HEADER, recordOverhead, UPSTREAM_WAIT_TRAILER, type GatewayPath } from '../telemetry/call-overhead.js';
import type { CallSignalExt } from './request-checks.js';
import type { TraceContextExt } from './tracing-middleware.js';

const generatedDefinition = fullMessageServiceDefinition(ImageServiceDefinition);

/** ImageService for nice-grpc's server, typed with the full generated messages; the responses that
 *  carry image bytes are serialized writing each image once, and reach grpc-js without another copy
 *  (image-response-encoding.ts). */
export const imageServiceDefinition = {
  ...generatedDefinition,
  generateImages: { ...generatedDefinition.generateImages, responseSerialize: (message: GenerateImagesResponse) => bytesForNiceGrpc(encodeGenerateImagesResponse(message)) },
  streamImages: { ...generatedDefinition.streamImages, responseSerialize: (message: StreamImagesResponse) => bytesForNiceGrpc(encodeStreamImagesResponse(message)) },
};

/** What the handlers implement: full messages in and out, the caller and trace context in the context. */
export type ImageServiceHandlers = ServiceImplementation<typeof imageServiceDefinition, CallerContext & TraceContextExt & CallSignalExt>;

export interface ImageServiceDeps {
  readonly generator: ImageGenerator;
  /** Keyed calls (`request_id`) and the job RPCs (DESIGN §10). */
  readonly durable: DurableGenerations;
  /** The overhead histogram (`seedream.gateway.overhead.duration`); none = not recorded. */
  readonly overheadHistogram?: Histogram;
}

/** The ImageService implementation; it runs behind the auth middleware, which supplies the caller. */
export function createImageService(deps: ImageServiceDeps): ImageServiceHandlers {
  const { generator, durable } = deps;
  // The gateway's own time in trailing metadata (a stream's: up to its first message), and the histogram.
  const reportOverhead = (context: TraceContextExt & CallContext, path: GatewayPath) => {
    const overhead = context.callOverhead;
    context.trailer.set(OVERHEAD_HEADER, msText(overhead.gatewayMs));
    context.trailer.set(UPSTREAM_WAIT_TRAILER, msText(overhead.upstreamMs));
    if (deps.overheadHistogram !== undefined) recordOverhead(deps.overheadHistogram, path, overhead);
  };
  // The listing only changes with the catalog and config: convert it once.
  const models: ListModelsResponse = { models: generator.listModels().map(modelInfoFromListing) };

  /** A plain call's events (the direct path), or — with a `request_id` (AIP-155) — the events of the
   *  keyed generation, created or attached to, which this call's cancellation does not stop. */
  async function eventsOf(spec: GenerationSpec, requestId: string, context: CallContext & CallerContext & TraceContextExt & CallSignalExt): Promise<AsyncIterable<GenerationEvent>> {
    const generateContext = generateContextOf(context);
    if (requestId === '') return generator.generate(spec, generateContext);
    const { job } = await durable.start(spec, generateContext, { key: requestId });
    return durable.follow(job.id, context.callSignal, context.callOverhead);
  }

  return {
    async generateImages(request, context) {
      // generate() throws synchronously for invalid input: before any upstream call, and still inside
      // this async function, so the error middleware maps it like any other.
      try {
        return await generateResponseFromEvents(await eventsOf(specFromProto(request.spec), request.requestId, context));
      } finally {
        reportOverhead(context, 'grpc-unary');
      }
    },

    async *streamImages(request, context) {
      try {
        const events = await eventsOf(specFromProto(request.spec), request.requestId, context);
        // One message per event, as the core yields it. nice-grpc waits for 'drain' before asking for the
        // next one, so a slow reader holds the core (and the upstream read) back instead of a buffer.
        for await (const event of events) {
          context.callOverhead.freeze();
          yield streamResponseFromEvent(event);
        }
      } finally {
        reportOverhead(context, 'grpc-stream');
      }
    },

    async listModels() {
      return models;
    },

    ...createImageJobHandlers(durable, generateContextOf),
  };
}

/** What the core needs from the call: its cancellation, its deadline (epoch ms), who calls, and the
 *  server span to parent the generation on. */
function generateContextOf(context: CallContext & CallerContext & TraceContextExt & CallSignalExt): GenerateContext {
  const deadline = deadlineFromMetadata(context.metadata);
  return { signal: context.callSignal, caller: context.caller, traceContext: context.traceContext, upstreamWait: context.callOverhead, ...(deadline !== undefined && { deadline }) };
}
