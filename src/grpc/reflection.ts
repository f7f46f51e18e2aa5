/**
 * gRPC server reflection, `grpc.reflection.v1` and `v1alpha`, so reflection-based clients (grpcurl,
 * Postman, grpcui) can call every method without proto files. The descriptors come from the descriptor
 * set `buf build` writes at build time (dist/seedream.binpb), not from the generated code: ts-proto
 * emits no descriptors, and the set is exactly what `proto/` declares.
 *
 * `@grpc/reflection` registers itself on a grpc-js Server, which nice-grpc does not expose; its public
 * per-request method `handleServerReflectionRequest` is driven from a nice-grpc handler instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition as GrpcJsServiceDefinition } from '@grpc/grpc-js';
import { loadFileDescriptorSetFromBuffer, loadSync, type PackageDefinition } from '@grpc/proto-loader';
import type { ServerReflectionRequest } from '@grpc/reflection/build/src/generated/grpc/reflection/v1/ServerReflectionRequest.js';
import type { ServerReflectionResponse } from '@grpc/reflection/build/src/generated/grpc/reflection/v1/ServerReflectionResponse.js';
import { ReflectionV1Implementation } from '@grpc/reflection/build/src/implementations/reflection-v1.js';

/** One reflection service, ready for nice-grpc's `server.add`. */
export interface ReflectionService {
  readonly definition: GrpcJsServiceDefinition;
  readonly implementation: {
    ServerReflectionInfo(requests: AsyncIterable<object>): AsyncIterable<ServerReflectionResponse>;
  };
}

// The options @grpc/reflection loads its own protos with; its handler expects messages in this shape.
const reflectionLoaderOptions = { longs: String, enums: String, bytes: Array, defaults: true, oneofs: true };

/** Where `npm run build` (and vitest's global setup) put the descriptor set: `<package root>/dist/`. */
export function defaultDescriptorSetPath(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  // Walk up to the first `dist/seedream.binpb`: this file runs from src/grpc/ (tests) and from
  // dist/src/grpc/ (built), and dist/ may hold a copy of package.json, so that cannot mark the root.
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'dist', 'seedream.binpb');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`no dist/seedream.binpb above ${start}: run \`npm run build\` (it runs buf build) first`);
  }
}

/** The v1 and v1alpha reflection services over the descriptor set at `descriptorSetPath`. */
export function createReflectionServices(descriptorSetPath: string): ReflectionService[] {
  if (!existsSync(descriptorSetPath)) {
    throw new Error(`${descriptorSetPath} is missing: run \`npm run build\` (it runs buf build) first`);
  }
  const described = loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath));
  // v1 and v1alpha are the same protocol under two package names (the library says so too).
  const reflection = new ReflectionV1Implementation(described);
  return (['v1', 'v1alpha'] as const).map((version) => ({
    definition: reflectionServiceDefinition(version),
    implementation: {
      async *ServerReflectionInfo(requests: AsyncIterable<object>) {
        // The request was decoded by proto-loader with reflectionLoaderOptions: the shape the handler takes.
        for await (const request of requests) yield reflection.handleServerReflectionRequest(request as ServerReflectionRequest);
      },
    },
  }));
}

function reflectionServiceDefinition(version: 'v1' | 'v1alpha'): GrpcJsServiceDefinition {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@grpc/reflection/package.json'));
  const path = join(root, 'build', 'proto', 'grpc', 'reflection', version, 'reflection.proto');
  const loaded: PackageDefinition = loadSync(path, reflectionLoaderOptions);
  const service = loaded[`grpc.reflection.${version}.ServerReflection`];
  if (service === undefined || 'format' in service) throw new Error(`no ServerReflection service in ${path}`);
  return service as GrpcJsServiceDefinition;
}
