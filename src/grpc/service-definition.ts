/**
 * The generated ts-proto service definition as a nice-grpc definition typed with the full messages.
 *
 * Why: nice-grpc types a ts-proto handler's response as the parameter of `fromPartial`, which ts-proto
 * declares as `Exact<DeepPartial<T>, I>` with `I` generic. Outside a call `I` collapses to a type no
 * oneof value (`{ $case, value }`) satisfies, so a handler returning a valid `GeneratedImage` does not
 * type-check. Serializing the full message with `encode` is what the wire needs anyway, and skips the
 * `fromPartial` copy nice-grpc would otherwise make of every image.
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
      requestDeserialize: (bytes) => request.decode(bytes),
      responseSerialize: (value) => response.encode(value).finish(),
      responseDeserialize: (bytes) => response.decode(bytes),
      options: {},
    };
  }
  return methods as FullMessageServiceDefinition<Service>;
}
