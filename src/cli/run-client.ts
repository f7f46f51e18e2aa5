/**
 * The client's run: parse the command line, call StreamImages, print each event as it arrives and save
 * each image. Returns the exit code: 0 done, 1 the call (or saving) failed, 2 usage error, 130 cancelled.
 * Everything it touches comes in through `io`, so tests run it in-process.
 */
import { ClientError, createChannel, createClientFactory, Metadata } from 'nice-grpc';
import { errorDetailsClientMiddleware, RichClientError } from 'nice-grpc-error-details';
import { ImageServiceDefinition, type ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import type { ClientEnv } from '../config.js';
import { parseClientArgs, USAGE, UsageError, type ClientArgs } from './args.js';
import { callErrorLines, completedLine, failureLine, heartbeatLine, imageLine } from './progress.js';
import { requestFromArgs } from './request-from-args.js';
import { runPrefix, saveImage } from './save-image.js';

const MAX_IMAGE_MESSAGE_BYTES = 64 * 1024 * 1024;
/** HTTP/2 receive window (connection and streams): what the gateway may send before the client acks. */
const IMAGE_FLOW_CONTROL_WINDOW_BYTES = 16 * 1024 * 1024;

export interface ClientIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly fetch: typeof fetch;
  readonly readFile: (path: string) => Promise<string>;
  readonly now: () => number;
  /** Aborted on Ctrl-C: cancels the call (and so the upstream work). */
  readonly signal?: AbortSignal;
}

const DEFAULT_ADDRESS = '127.0.0.1:50051';

export async function runClient(argv: readonly string[], env: ClientEnv, io: ClientIo): Promise<number> {
  let args: ClientArgs;
  let key: string | undefined;
  let request;
  try {
    const parsed = parseClientArgs(argv);
    if (parsed === 'help') {
      io.out(USAGE);
      return 0;
    }
    args = parsed;
    request = requestFromArgs(args);
    key = args.keyFile === undefined ? env.apiKey : await readKey(args.keyFile, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${USAGE}`);
    return 2;
  }

  const address = args.address ?? env.address ?? DEFAULT_ADDRESS;
  // gRPC clients accept 4 MiB per message by default; one image as bytes can be far larger (a 4K PNG is
  // up to ~34 MB). StreamImages sends one image per message, so this bound covers any single image.
  // grpc-js also keeps HTTP/2's 64 KiB receive window (it does not grow it as Go and C-core clients do):
  // a 4.5 MB image then arrives in ~70 window round trips. With a 16 MiB window the first image of a 2K
  // answer came 19 ms after the upstream's instead of 49 ms (bench scenario 7, c=1, issue 15).
  const channel = createChannel(address, undefined, {
    'grpc.max_receive_message_length': MAX_IMAGE_MESSAGE_BYTES,
    'grpc-node.flow_control_window': IMAGE_FLOW_CONTROL_WINDOW_BYTES,
  });
  // Typed as the generated client interface: it takes the generated request message as it is.
  const client: ImageServiceClient = createClientFactory().use(errorDetailsClientMiddleware).create(ImageServiceDefinition, channel);
  const metadata = key === undefined ? Metadata() : Metadata({ authorization: `Bearer ${key}` });
  const started = io.now();
  const save = { dir: args.out, prefix: runPrefix(new Date(started)), fetch: io.fetch, ...(io.signal && { signal: io.signal }) };
  io.out(`→ ${args.model} at ${address}: ${JSON.stringify(args.prompt)}`);
  try {
    for await (const message of client.streamImages(request, { metadata, ...(io.signal && { signal: io.signal }) })) {
      const event = message.event;
      if (event === undefined) continue;
      switch (event.$case) {
        case 'heartbeat':
          io.out(heartbeatLine(event.value));
          break;
        case 'image':
          io.out(imageLine(event.value, await saveImage(event.value, save)));
          break;
        case 'failure':
          io.out(failureLine(event.value));
          break;
        case 'completed':
          io.out(completedLine(event.value, io.now() - started));
          return 0;
      }
    }
    io.err('error: the stream ended before the generation completed');
    return 1;
  } catch (error) {
    return reportFailure(error, io);
  } finally {
    channel.close();
  }
}

function reportFailure(error: unknown, io: ClientIo): number {
  if (error instanceof Error && error.name === 'AbortError') {
    io.err('cancelled');
    return 130;
  }
  if (error instanceof RichClientError) io.err(callErrorLines(error.code, error.details, error.extra).join('\n'));
  else if (error instanceof ClientError) io.err(callErrorLines(error.code, error.details, []).join('\n'));
  else io.err(`error: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
}

async function readKey(path: string, io: ClientIo): Promise<string> {
  let text: string;
  try {
    text = await io.readFile(path);
  } catch {
    throw new UsageError(`cannot read the key file ${path}`);
  }
  const key = text.trim();
  if (key === '') throw new UsageError(`the key file ${path} is empty`);
  return key;
}
