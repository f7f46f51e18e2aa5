/**
 * Server reflection with a real reflection client: plain grpc-js and proto-loader, no proto files of
 * ours — everything the client knows about seedream.v1 it learns from the server.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcApp, type TestGrpcApp } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type Callback<T> = (error: Error | null, value: T) => void;
/** The service as a client built from reflected descriptors sees it (proto field names, plain objects). */
type DynamicImageService = grpc.Client & {
  ListModels(request: object, callback: Callback<{ models: { spec_field: string }[] }>): void;
  GenerateImages(request: object, callback: Callback<{ images: { url: string }[]; model: string }>): void;
};

type ReflectionStream = grpc.ClientDuplexStream<Record<string, unknown>, ReflectionResponse>;
type ReflectionClient = grpc.Client & { ServerReflectionInfo(): ReflectionStream };

function reflectionClient(address: string, version: 'v1' | 'v1alpha'): ReflectionClient {
  const root = dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json'));
  const definition = loadSync(join(root, 'build/proto/grpc/reflection', version, 'reflection.proto'), { keepCase: false, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: new (address: string, credentials: grpc.ChannelCredentials) => ReflectionClient }> };
  };
  const Client = loaded.grpc.reflection[version]?.ServerReflection;
  if (Client === undefined) throw new Error(`no ${version} reflection client`);
  return new Client(address, grpc.credentials.createInsecure());
}

/** Sends one reflection request on a fresh stream and returns the single answer. */
function ask(client: ReflectionClient, request: Record<string, unknown>): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.once('data', (response: ReflectionResponse) => {
      resolve(response);
      stream.end();
    });
    stream.once('error', reject);
    stream.write(request);
  });
}

/** FileDescriptorProto bytes → a FileDescriptorSet (field 1, repeated), as proto-loader reads it. */
function descriptorSet(files: readonly Buffer[]): Buffer {
  return Buffer.concat(files.flatMap((file) => [Buffer.from([0x0a]), varint(file.length), file]));
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

describe('server reflection', () => {
  let gw: TestGrpcApp;
  beforeAll(async () => {
    const upstream = scriptedUpstream(async function* () {
      yield image(0);
      yield completed(1);
    });
    gw = await startGrpcApp({ upstream });
  });
  afterAll(() => gw.close());

  it.each(['v1', 'v1alpha'] as const)('lists seedream.v1.ImageService over %s', async (version) => {
    const client = reflectionClient(gw.address, version);
    try {
      const response = await ask(client, { listServices: '*' });
      expect(response.listServicesResponse?.service.map((s) => s.name)).toContain('seedream.v1.ImageService');
    } finally {
      client.close();
    }
  });

  it('describes the service well enough to call its methods without proto files', async () => {
    const client = reflectionClient(gw.address, 'v1');
    try {
      const response = await ask(client, { fileContainingSymbol: 'seedream.v1.ImageService' });
      const files = response.fileDescriptorResponse?.fileDescriptorProto ?? [];
      expect(files.length).toBeGreaterThan(0);

      // Build a client from the reflected descriptors alone, and call two methods with it.
      const described = grpc.loadPackageDefinition(loadFileDescriptorSetFromBuffer(descriptorSet(files), { keepCase: true, oneofs: true })) as unknown as {
        seedream: { v1: { ImageService: new (address: string, credentials: grpc.ChannelCredentials) => DynamicImageService } };
      };
      const service = new described.seedream.v1.ImageService(gw.address, grpc.credentials.createInsecure());
      try {
        const listed = await new Promise<{ models: { spec_field: string }[] }>((resolve, reject) =>
          service.ListModels({}, (error, value) => (error ? reject(error) : resolve(value))),
        );
        expect(listed.models.map((m) => m.spec_field)).toContain('seedream_4_5');
        const generated = await new Promise<{ images: { url: string }[]; model: string }>((resolve, reject) =>
          service.GenerateImages(
            { spec: { prompt: 'a fox', seedream_4_5: {} } },
            (error, value) => (error ? reject(error) : resolve(value)),
          ),
        );
        expect(generated.images[0]?.url).toMatch(/^https:\/\//);
        expect(generated.model).toBe('doubao-seedream-4-5-251128');
      } finally {
        service.close();
      }
    } finally {
      client.close();
    }
  });

  it('answers NOT_FOUND for an unknown symbol', async () => {
    const client = reflectionClient(gw.address, 'v1alpha');
    try {
      const response = await ask(client, { fileContainingSymbol: 'seedream.v1.NoSuchService' });
      expect(response.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
    } finally {
      client.close();
    }
  });
});
