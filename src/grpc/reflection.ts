/**
 * gRPC server reflection, `grpc.reflection.v1` and `v1alpha`, so reflection-only clients (grpcurl,
 * Postman, grpcui, Python's descriptor pool) can call every method without proto files. It serves the
 * real file descriptors — each file under its own name with its real imports, resolvable by file name,
 * by symbol and by extension — from the descriptor set `buf build` writes at build time
 * (dist/seedream.binpb: proto/ with its imports, plus the reflection protos), and the health service's
 * descriptor; ListServices names ImageService, Health and both reflection services.
 *
 * The handler is ours rather than @grpc/reflection's: that library re-derives descriptors through
 * protobufjs, which merges files and drops imports (strict pools refuse the result). The reflection
 * service definition itself is still loaded from the .proto files @grpc/reflection ships.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition as GrpcJsServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type PackageDefinition } from '@grpc/proto-loader';
import { createDescriptorPool, type DescriptorPool } from './descriptor-pool.js';
import { healthFileDescriptor } from './health-descriptor.js';

/** A reflection request as proto-loader decodes it with `reflectionLoaderOptions`. */
interface ReflectionRequest {
  readonly host?: string;
  readonly messageRequest?: 'fileByFilename' | 'fileContainingSymbol' | 'fileContainingExtension' | 'allExtensionNumbersOfType' | 'listServices';
  readonly fileByFilename?: string;
  readonly fileContainingSymbol?: string;
  readonly fileContainingExtension?: { readonly containingType?: string; readonly extensionNumber?: number };
  readonly allExtensionNumbersOfType?: string;
  readonly listServices?: string;
}

/** A reflection response in the object shape proto-loader encodes. */
type ServerReflectionResponse = Record<string, unknown>;

/** gRPC status NOT_FOUND and INVALID_ARGUMENT, as reflection's `error_code` carries them. */
const NOT_FOUND = 5;
const INVALID_ARGUMENT = 3;

/** One reflection service, ready for nice-grpc's `server.add`. */
export interface ReflectionService {
  readonly definition: GrpcJsServiceDefinition;
  readonly implementation: {
    ServerReflectionInfo(requests: AsyncIterable<object>): AsyncIterable<ServerReflectionResponse>;
  };
}

// Options the reflection protos are loaded with: requests arrive camelCased with `messageRequest` naming
// the oneof member, which is the shape answerReflection reads.
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
  const pool = createDescriptorPool(readFileSync(descriptorSetPath), [healthFileDescriptor()]);
  // v1 and v1alpha are the same protocol under two package names.
  return (['v1', 'v1alpha'] as const).map((version) => ({
    definition: reflectionServiceDefinition(version),
    implementation: {
      async *ServerReflectionInfo(requests: AsyncIterable<object>) {
        for await (const request of requests) yield answerReflection(pool, request as ReflectionRequest);
      },
    },
  }));
}

/** One answer per request (the protocol is a bidi stream of independent request/response pairs). */
export function answerReflection(pool: DescriptorPool, request: ReflectionRequest): ServerReflectionResponse {
  const base = { validHost: request.host ?? '', originalRequest: request };
  const files = (found: Uint8Array[] | undefined, what: string) =>
    found === undefined
      ? { ...base, errorResponse: { errorCode: NOT_FOUND, errorMessage: `${what} not found` } }
      : { ...base, fileDescriptorResponse: { fileDescriptorProto: found } };
  switch (request.messageRequest) {
    case 'listServices':
      return { ...base, listServicesResponse: { service: pool.services.map((name) => ({ name })) } };
    case 'fileByFilename':
      return files(pool.fileWithDependencies(request.fileByFilename ?? ''), `file ${request.fileByFilename ?? ''}`);
    case 'fileContainingSymbol':
      return files(pool.fileContainingSymbol(request.fileContainingSymbol ?? ''), `symbol ${request.fileContainingSymbol ?? ''}`);
    case 'fileContainingExtension': {
      const { containingType = '', extensionNumber = 0 } = request.fileContainingExtension ?? {};
      return files(pool.fileContainingExtension(containingType, extensionNumber), `extension ${extensionNumber} of ${containingType}`);
    }
    case 'allExtensionNumbersOfType': {
      const type = request.allExtensionNumbersOfType ?? '';
      const numbers = pool.extensionNumbersOf(type);
      if (numbers === undefined) return { ...base, errorResponse: { errorCode: NOT_FOUND, errorMessage: `type ${type} not found` } };
      return { ...base, allExtensionNumbersResponse: { baseTypeName: type.replace(/^\./, ''), extensionNumber: numbers } };
    }
    default:
      return { ...base, errorResponse: { errorCode: INVALID_ARGUMENT, errorMessage: 'the request names no reflection query' } };
  }
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
