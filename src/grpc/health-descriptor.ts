/**
 * The descriptor of `grpc/health/v1/health.proto` as the server implements it (Check and Watch, via
 * nice-grpc-server-health), for reflection. No installed package ships that file or a descriptor of it
 * (nice-grpc-server-health ships generated code only), and DESIGN §2 rules out vendoring third-party
 * .proto files, so the few lines of it reflection needs are written down here, field for field as
 * upstream grpc/grpc-proto declares them.
 */
import { create } from '@bufbuild/protobuf';
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

export function healthFileDescriptor(): FileDescriptorProto {
  const optional = FieldDescriptorProto_Label.OPTIONAL;
  return create(FileDescriptorProtoSchema, {
    name: 'grpc/health/v1/health.proto',
    package: 'grpc.health.v1',
    syntax: 'proto3',
    messageType: [
      { name: 'HealthCheckRequest', field: [{ name: 'service', jsonName: 'service', number: 1, label: optional, type: FieldDescriptorProto_Type.STRING }] },
      {
        name: 'HealthCheckResponse',
        field: [
          {
            name: 'status',
            jsonName: 'status',
            number: 1,
            label: optional,
            type: FieldDescriptorProto_Type.ENUM,
            typeName: '.grpc.health.v1.HealthCheckResponse.ServingStatus',
          },
        ],
        enumType: [
          {
            name: 'ServingStatus',
            value: [
              { name: 'UNKNOWN', number: 0 },
              { name: 'SERVING', number: 1 },
              { name: 'NOT_SERVING', number: 2 },
              { name: 'SERVICE_UNKNOWN', number: 3 },
            ],
          },
        ],
      },
    ],
    service: [
      {
        name: 'Health',
        method: [
          { name: 'Check', inputType: '.grpc.health.v1.HealthCheckRequest', outputType: '.grpc.health.v1.HealthCheckResponse' },
          { name: 'Watch', inputType: '.grpc.health.v1.HealthCheckRequest', outputType: '.grpc.health.v1.HealthCheckResponse', serverStreaming: true },
        ],
      },
    ],
    options: {
      csharpNamespace: 'Grpc.Health.V1',
      goPackage: 'google.golang.org/grpc/health/grpc_health_v1',
      javaMultipleFiles: true,
      javaOuterClassname: 'HealthProto',
      javaPackage: 'io.grpc.health.v1',
    },
  });
}
