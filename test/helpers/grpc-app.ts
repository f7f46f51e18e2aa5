/**
 * Starts the full app (gRPC) on 127.0.0.1:0 for a test — with the embedded simulator, or with an
 * injected (scripted) upstream — and a generated nice-grpc client that decodes `google.rpc` details.
 *
 * ```ts
 * const gw = await startGrpcApp({ upstream: scriptedUpstream(script), env: { RETRY_MAX_ATTEMPTS: '1' } });
 * afterAll(() => gw.close());
 * const res = await gw.client.generateImages(request, { metadata: gw.auth('sk-…') });
 * ```
 */
import * as grpc from '@grpc/grpc-js';
import { ClientError, createChannel, createClientFactory, Metadata, type Channel } from 'nice-grpc';
import { errorDetailsClientMiddleware, RichClientError } from 'nice-grpc-error-details';
import { ResponseFormat, type ImageGenerationSpec } from '../../gen/seedream/v1/generation_spec.js';
import {
  ImageServiceDefinition,
  StreamImagesRequest,
  StreamImagesResponse,
  type ImageServiceClient,
} from '../../gen/seedream/v1/image_service.js';
import { createApp, type App } from '../../src/app.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import type { ImageUpstream } from '../../src/upstream/types.js';

/** A caller key the helper can configure (`withKey: true`), and its name. */
export const TEST_KEY = 'sk-gateway-test-key-0001';
export const TEST_KEY_NAME = 'test-caller';

export interface GrpcAppOptions {
  /** Extra environment for loadConfig (over quiet test defaults). */
  readonly env?: Readonly<Record<string, string>>;
  /** Injected upstream; default: the configured one (the embedded simulator at 0 ms latency). */
  readonly upstream?: ImageUpstream;
  /** Configure TEST_KEY as the only caller key (else the gateway runs open on the simulator). */
  readonly withKey?: boolean;
}

export interface TestGrpcApp {
  readonly app: App;
  /** `127.0.0.1:<port>` of the gRPC server. */
  readonly address: string;
  /** `http://127.0.0.1:<port>` of the REST adapter. */
  readonly httpUrl: string;
  readonly channel: Channel;
  /** The generated client with error details decoded (throws RichClientError). */
  readonly client: ImageServiceClient;
  /** Parsed log lines written so far. */
  readonly logs: Record<string, unknown>[];
  /** `authorization: Bearer <key>` metadata. */
  auth(key?: string): Metadata;
  /** Stops the app (graceful) and closes the client channel. */
  close(): Promise<void>;
}

export async function startGrpcApp(options: GrpcAppOptions = {}): Promise<TestGrpcApp> {
  const config = loadConfig({
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HTTP_PORT: '0',
    LOG_LEVEL: 'info',
    SIMULATOR_LATENCY_MS: '0',
    HEARTBEAT_INTERVAL_MS: '0',
    SHUTDOWN_GRACE_MS: '5000',
    ...(options.withKey === true && { GATEWAY_API_KEYS: `${TEST_KEY_NAME}=${hashApiKey(TEST_KEY)}` }),
    ...options.env,
  });
  const logs: Record<string, unknown>[] = [];
  const app = await createApp(config, {
    ...(options.upstream && { upstream: options.upstream }),
    logDestination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const addresses = await app.start();
  const port = (addresses.grpc ?? '').split(':').pop();
  const address = `127.0.0.1:${port}`;
  const channel = createChannel(address);
  const client = createClientFactory().use(errorDetailsClientMiddleware).create(ImageServiceDefinition, channel);
  return {
    app,
    address,
    httpUrl: `http://127.0.0.1:${(addresses.http ?? '').split(':').pop() ?? ''}`,
    channel,
    client,
    logs,
    auth: (key = TEST_KEY) => Metadata({ authorization: `Bearer ${key}` }),
    async close() {
      channel.close();
      await app.stop();
    },
  };
}

/** Runs `fn` and returns the gRPC error it throws, as a RichClientError (`extra` empty when the status
 *  carried no details, as grpc-js's own statuses do). Fails the test if it does not throw one. */
export async function richError(fn: () => Promise<unknown>): Promise<RichClientError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof RichClientError) return error;
    if (error instanceof ClientError) return new RichClientError(error.path, error.code, error.details, []);
    throw error;
  }
  throw new Error('expected the call to fail');
}

/** Drains a server stream into an array. */
export async function collectStream<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of stream) out.push(item);
  return out;
}

export interface RawStreamOutcome {
  readonly messages: StreamImagesResponse[];
  readonly code: grpc.status;
  readonly details: string;
}

/**
 * StreamImages through plain grpc-js, for what nice-grpc's client cannot do: a real deadline
 * (`grpc-timeout` on the wire). Resolves with the messages and the final status.
 */
export function rawStreamImages(
  address: string,
  request: StreamImagesRequest,
  options: { deadline?: number; metadata?: Record<string, string> } = {},
): Promise<RawStreamOutcome> {
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(options.metadata ?? {})) metadata.set(key, value);
  const call = client.makeServerStreamRequest(
    '/seedream.v1.ImageService/StreamImages',
    (message: StreamImagesRequest) => Buffer.from(StreamImagesRequest.encode(message).finish()),
    (bytes: Buffer) => StreamImagesResponse.decode(bytes),
    request,
    metadata,
    options.deadline === undefined ? {} : { deadline: options.deadline },
  );
  const messages: StreamImagesResponse[] = [];
  return new Promise((resolve) => {
    call.on('data', (message: StreamImagesResponse) => messages.push(message));
    call.on('error', () => undefined); // the status below carries it
    call.on('status', (status: grpc.StatusObject) => {
      client.close();
      resolve({ messages, code: status.code, details: status.details });
    });
  });
}

/** A valid request spec (Seedream 4.5, URL format), with overrides. */
export function testSpec(overrides: Partial<ImageGenerationSpec> = {}): ImageGenerationSpec {
  return {
    prompt: 'a lighthouse at dusk',
    referenceImages: [],
    responseFormat: ResponseFormat.RESPONSE_FORMAT_URL,
    n: 1,
    user: '',
    model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: undefined } },
    ...overrides,
  };
}
