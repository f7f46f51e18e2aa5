/**
 * The generated ts-proto service definition as a nice-grpc definition typed with the full messages.
 *
 * Why: nice-grpc types a ts-proto handler's response as the parameter of `fromPartial`, which ts-proto
 * declares as `Exact<DeepPartial<T>, I>` with `I` generic. Outside a call `I` collapses to a type no
 * oneof value (`{ $case, value }`) satisfies, so a handler returning a valid `GeneratedImage` does not
 * type-check. Serializing the full message with `encode` is what the wire needs anyway, and skips the
 * `fromPartial` copy nice-grpc would otherwise make of every image.
 *
 * Request bytes that do not decode are not thrown back to grpc-js (which answers INTERNAL "Error
 * deserializing request"): the deserializer returns a MalformedRequest, which the request-checks
 * middleware turns into INVALID_ARGUMENT — the caller sent it. Each decoded request's wire size is
 * remembered for the request-body budget (request-checks.ts).
 */
import type { MethodDefinition } from 'nice-grpc';

interface MessageCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

/** Any message's codec: encodes something, decodes into something. */
interface AnyCodec {
  encode(message: never): { finish(): Uint8Array };
  decode(input: Uint8Array): unknown;
}

interface TsProtoMethod {
  readonly name: string;
  readonly requestType: AnyCodec;
  readonly responseType: AnyCodec;
  readonly requestStream: boolean;
  readonly responseStream: boolean;
}

interface TsProtoService {
  readonly fullName: string;
  readonly methods: Readonly<Record<string, TsProtoMethod>>;
}

/** What the deserializer returns for bytes that are not a valid message of the method's request type. */
export class MalformedRequest {
  constructor(
    /** The message type, e.g. `seedream.v1.StreamImagesRequest`. */
    readonly typeName: string,
    /** The decoder's complaint (`invalid wire type 7 at offset 3`): it names a rule, never data. */
    readonly problem: string,
    readonly wireBytes: number,
  ) {}
}

const wireSizes = new WeakMap<object, number>();

/** The size on the wire of a request the deserializer decoded (0 when unknown). */
export function wireSizeOf(request: unknown): number {
  if (request instanceof MalformedRequest) return request.wireBytes;
  return typeof request === 'object' && request !== null ? (wireSizes.get(request) ?? 0) : 0;
}

type MessageOf<Codec> = Codec extends { decode(input: Uint8Array): infer T } ? T : never;

/** A nice-grpc definition whose handlers take and return the full generated message types. */
export type FullMessageServiceDefinition<Service extends TsProtoService> = {
  [Name in keyof Service['methods']]: MethodDefinition<
    MessageOf<Service['methods'][Name]['requestType']>,
    MessageOf<Service['methods'][Name]['requestType']>,
    MessageOf<Service['methods'][Name]['responseType']>,
    MessageOf<Service['methods'][Name]['responseType']>,
    Service['methods'][Name]['requestStream'],
    Service['methods'][Name]['responseStream']
  >;
};

/** Converts a ts-proto (generic-definitions) service into a nice-grpc definition over full messages. */
export function fullMessageServiceDefinition<Service extends TsProtoService>(
  service: Service,
): FullMessageServiceDefinition<Service> {
  const methods: Record<string, MethodDefinition<unknown, unknown, unknown, unknown>> = {};
  for (const [key, method] of Object.entries(service.methods)) {
    // The codecs are typed per message; here each pair is only ever used with its own message type.
    const request = method.requestType as MessageCodec<unknown>;
    const response = method.responseType as MessageCodec<unknown>;
    methods[key] = {
      path: `/${service.fullName}/${method.name}`,
      requestStream: method.requestStream,
      responseStream: method.responseStream,
      requestSerialize: (value) => request.encode(value).finish(),
      requestDeserialize: (bytes) => {
        let message: unknown;
        try {
          message = request.decode(bytes);
        } catch (error) {
          const problem = error instanceof Error ? error.message.split('\n', 1)[0]?.slice(0, 200) : undefined;
          return new MalformedRequest(requestTypeName(service.fullName, method.name), problem ?? 'undecodable', bytes.length);
        }
        if (typeof message === 'object' && message !== null) wireSizes.set(message, bytes.length);
        return message;
      },
      responseSerialize: (value) => response.encode(value).finish(),
      responseDeserialize: (bytes) => response.decode(bytes),
      options: {},
    };
  }
  return methods as FullMessageServiceDefinition<Service>;
}

/** ts-proto names request types `<Method>Request` in the service's package. */
function requestTypeName(serviceName: string, methodName: string): string {
  return `${serviceName.slice(0, serviceName.lastIndexOf('.') + 1)}${methodName}Request`;
}
