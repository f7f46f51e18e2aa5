/**
 * Attribute and instrument names in one place (conventions D.1, D.2). GenAI conventions have no image
 * operation: `image_generation` is the custom value Envoy AI Gateway uses too; the provider names
 * `volcengine` / `byteplus` / `openai_compatible` / `simulator` are ours (no ByteDance value exists).
 */
export const ATTR = {
  genAiOperationName: 'gen_ai.operation.name',
  genAiProviderName: 'gen_ai.provider.name',
  genAiRequestModel: 'gen_ai.request.model',
  genAiResponseModel: 'gen_ai.response.model',
  genAiResponseId: 'gen_ai.response.id',
  genAiOutputType: 'gen_ai.output.type',
  genAiRequestChoiceCount: 'gen_ai.request.choice.count',
  genAiRequestSeed: 'gen_ai.request.seed',
  genAiRequestStream: 'gen_ai.request.stream',
  genAiUsageOutputTokens: 'gen_ai.usage.output_tokens',
  genAiInputMessages: 'gen_ai.input.messages',
  errorType: 'error.type',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  rpcSystemName: 'rpc.system.name',
  rpcMethod: 'rpc.method',
  rpcStatusCode: 'rpc.status_code',
  httpRequestMethod: 'http.request.method',
  httpRoute: 'http.route',
  httpResponseStatusCode: 'http.response.status_code',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  // Gateway-specific attributes.
  imagesRequested: 'seedream.images.requested',
  imagesGenerated: 'seedream.images.generated',
  imagesFailed: 'seedream.images.failed',
  imageSetMaxImages: 'seedream.image_set.max_images',
  upstreamRequestIds: 'seedream.upstream.request_ids',
  upstreamErrorCode: 'seedream.upstream.error_code',
  attempt: 'seedream.upstream.attempt',
  keyName: 'seedream.key.name',
  imageOutcome: 'seedream.image.outcome',
  currency: 'seedream.cost.currency',
  /** The channel (src/channels/) that served an upstream attempt. */
  channel: 'seedream.channel',
  /** Which edge served a call (`rest-json`, `rest-sse`, `grpc-unary`, `grpc-stream`): the overhead histogram. */
  gatewayPath: 'seedream.gateway.path',
} as const;

export const OPERATION_IMAGE_GENERATION = 'image_generation';

/** Overhead buckets in seconds: 50 µs to ~1.6 s — the gateway's own time is small and its tail matters. */
export const OVERHEAD_BUCKETS_SECONDS = [0.00005, 0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256, 0.0512, 0.1024, 0.2048, 0.4096, 0.8192, 1.6384];

/** Duration buckets in seconds: the GenAI recommendation (to 81.92 s) extended to ~11 minutes, because
 *  image renders take 20–60 s per image and sets of 15 take minutes (conventions D.1 deviation). */
export const DURATION_BUCKETS_SECONDS = [
  0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36,
];

export const METRIC = {
  rpcServerDuration: 'rpc.server.call.duration',
  httpServerDuration: 'http.server.request.duration',
  operationDuration: 'gen_ai.client.operation.duration',
  imageCount: 'gen_ai.client.image.count',
  upstreamDuration: 'http.client.request.duration',
  estimatedCost: 'seedream.gateway.estimated_cost',
  overheadDuration: 'seedream.gateway.overhead.duration',
} as const;
