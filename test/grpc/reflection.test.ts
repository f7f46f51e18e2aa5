/**
 * Server reflection with a real reflection client (plain grpc-js and proto-loader for the reflection
 * service only): everything the client knows about the served services it learns from the server, and
 * it builds a STRICT descriptor pool from the reflected files (test/helpers/strict-descriptors.ts: real
 * file names, every import present, every type imported where it is used) before calling ImageService
 * and Health with messages encoded from those descriptors alone.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { create, fromBinary, fromJson, toBinary, toJson, type DescMessage, type FileRegistry, type JsonValue, type MessageInitShape } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcApp, type TestGrpcApp } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';
import { strictRegistry } from '../helpers/strict-descriptors.js';

interface ReflectionResponse {
  listServicesResponse?: { service: { name: string }[] };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

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

/** What a reflection-only tool does: fetch the file of a symbol, then any import not yet seen by name. */
async function reflectFiles(client: ReflectionClient, symbol: string): Promise<{ files: Map<string, FileDescriptorProto>; root: string }> {
  const files = new Map<string, FileDescriptorProto>();
  const add = (response: ReflectionResponse) => {
    if (response.errorResponse !== undefined) throw new Error(response.errorResponse.errorMessage);
    const protos = (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    for (const proto of protos) if (!files.has(proto.name)) files.set(proto.name, proto);
    return protos[0]?.name ?? '';
  };
  const root = add(await ask(client, { fileContainingSymbol: symbol }));
  for (let missing = findMissing(files); missing !== undefined; missing = findMissing(files)) add(await ask(client, { fileByFilename: missing }));
  return { files, root };
}

const findMissing = (files: Map<string, FileDescriptorProto>) => [...files.values()].flatMap((f) => f.dependency).find((name) => !files.has(name));

/** A unary call with messages encoded and decoded from reflected descriptors only. */
function callUnary(address: string, registry: FileRegistry, service: string, method: string, json: JsonValue, metadata = new grpc.Metadata()): Promise<JsonValue> {
  const desc = registry.getService(service)?.methods.find((m) => m.name === method);
  if (desc === undefined) throw new Error(`${service}/${method} is not in the reflected descriptors`);
  const client = new grpc.Client(address, grpc.credentials.createInsecure());
  const input: DescMessage = desc.input;
  const output: DescMessage = desc.output;
  return new Promise<JsonValue>((resolve, reject) => {
    client.makeUnaryRequest(
      `/${service}/${method}`,
      (message: JsonValue) => Buffer.from(toBinary(input, fromJson(input, message, { registry }))),
      (bytes: Buffer) => toJson(output, fromBinary(output, bytes), { registry }),
      json,
      metadata,
      (error, value) => {
        client.close();
        if (error !== null || value === undefined) reject(error ?? new Error('no response'));
        else resolve(value);
      },
    );
  });
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

  it.each(['v1', 'v1alpha'] as const)('lists ImageService, UsageService, Health and both reflection services over %s', async (version) => {
    const client = reflectionClient(gw.address, version);
    try {
      const response = await ask(client, { listServices: '*' });
      expect(response.listServicesResponse?.service.map((s) => s.name)).toEqual([
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'seedream.v1.ImageService',
        'seedream.v1.UsageService',
      ]);
    } finally {
      client.close();
    }
  });

  it('resolves every listed service through a strict descriptor pool', async () => {
    const client = reflectionClient(gw.address, 'v1');
    try {
      const services = (await ask(client, { listServices: '*' })).listServicesResponse?.service ?? [];
      for (const { name } of services) {
        const { files, root } = await reflectFiles(client, name);
        expect(strictRegistry(files, root).getService(name), name).toBeDefined();
      }
    } finally {
      client.close();
    }
  });

  it('serves each file under its own name with its imports: events.proto imports duration and timestamp', async () => {
    const client = reflectionClient(gw.address, 'v1');
    try {
      const response = await ask(client, { fileByFilename: 'seedream/v1/events.proto' });
      const protos = (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((b) => fromBinary(FileDescriptorProtoSchema, b));
      expect(protos[0]?.name).toBe('seedream/v1/events.proto');
      expect(protos[0]?.dependency).toEqual(['google/protobuf/duration.proto', 'google/protobuf/timestamp.proto', 'seedream/v1/types.proto']);
      const duration = protos.find((p) => p.name === 'google/protobuf/duration.proto');
      expect(duration?.messageType.map((m) => m.name)).toEqual(['Duration']);
      // By symbol, a nested symbol (a field, an enum value) finds its file too.
      const byField = await ask(client, { fileContainingSymbol: 'seedream.v1.ImageGenerationSpec.seedream_5_5' });
      expect(fromBinary(FileDescriptorProtoSchema, byField.fileDescriptorResponse?.fileDescriptorProto[0] ?? new Uint8Array()).name).toBe('seedream/v1/generation_spec.proto');
    } finally {
      client.close();
    }
  });

  it('calls ImageService and Health from reflected descriptors alone', async () => {
    const client = reflectionClient(gw.address, 'v1');
    try {
      const image = await reflectFiles(client, 'seedream.v1.ImageService');
      const registry = strictRegistry(image.files, image.root);
      const listed = (await callUnary(gw.address, registry, 'seedream.v1.ImageService', 'ListModels', {})) as { models: { specField: string }[] };
      expect(listed.models.map((m) => m.specField)).toContain('seedream_5_5');
      // Proto JSON accepts the proto field name of the oneof member as well as its lowerCamel JSON name.
      for (const member of ['seedream_4_5', 'seedream45']) {
        const generated = (await callUnary(gw.address, registry, 'seedream.v1.ImageService', 'GenerateImages', { spec: { prompt: 'a fox', [member]: {} } })) as {
          images: { url: string }[];
          model: string;
        };
        expect(generated.images[0]?.url).toMatch(/^https:\/\//);
        expect(generated.model).toBe('doubao-seedream-4-5-251128');
      }
      const health = await reflectFiles(client, 'grpc.health.v1.Health');
      const checked = await callUnary(gw.address, strictRegistry(health.files, health.root), 'grpc.health.v1.Health', 'Check', { service: 'seedream.v1.ImageService' });
      expect(checked).toEqual({ status: 'SERVING' });
    } finally {
      client.close();
    }
  });

  it('answers NOT_FOUND for an unknown symbol, file or extension, and lists no extensions of a message', async () => {
    const client = reflectionClient(gw.address, 'v1alpha');
    try {
      expect((await ask(client, { fileContainingSymbol: 'seedream.v1.NoSuchService' })).errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
      expect((await ask(client, { fileByFilename: 'seedream/v1/nope.proto' })).errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
      const extension = await ask(client, { fileContainingExtension: { containingType: 'seedream.v1.Size', extensionNumber: 100 } });
      expect(extension.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
      const numbers = (await ask(client, { allExtensionNumbersOfType: 'seedream.v1.Size' })).allExtensionNumbersResponse;
      expect(numbers?.baseTypeName).toBe('seedream.v1.Size');
      expect(numbers?.extensionNumber ?? []).toEqual([]);
    } finally {
      client.close();
    }
  });
});

describe('the strict descriptor pool', () => {
  const file = (init: MessageInitShape<typeof FileDescriptorProtoSchema>) => create(FileDescriptorProtoSchema, { syntax: 'proto3', package: 'p', ...init });
  const a = file({ name: 'a.proto', messageType: [{ name: 'A' }] });
  const usesA = (dependency: string[]) =>
    file({ name: 'b.proto', dependency, messageType: [{ name: 'B', field: [{ name: 'a', number: 1, type: 11, label: 1, typeName: '.p.A' }] }] });

  it('refuses a missing import and a type used without importing its file (what protobufjs lets through)', () => {
    expect(() => strictRegistry(new Map([['b.proto', usesA(['a.proto'])]]), 'b.proto')).toThrow(/a\.proto, imported by b\.proto, was not reflected/);
    // Everything present, but b.proto does not import a.proto: the shape of a merged reflection answer.
    const c = file({ name: 'c.proto', dependency: ['a.proto', 'b.proto'] });
    expect(() => strictRegistry(new Map([['c.proto', c], ['a.proto', a], ['b.proto', usesA([])]]), 'c.proto')).toThrow(/does not import/);
    expect(strictRegistry(new Map([['b.proto', usesA(['a.proto'])], ['a.proto', a]]), 'b.proto').getMessage('p.B')).toBeDefined();
  });
});
