/**
 * The file descriptors server reflection serves, indexed the way reflection asks for them: by file
 * name, by fully-qualified symbol (messages, nested types, fields, enums, enum values, services,
 * methods, extensions) and by extension (extendee + number). Each file is served as the compiler wrote
 * it, with its real name and imports, so strict descriptor pools (protoc, Python, grpcurl) accept it.
 */
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';

export interface DescriptorPool {
  /** Fully-qualified names of every service, sorted. */
  readonly services: readonly string[];
  /** The named file followed by everything it imports, transitively; undefined when unknown. */
  fileWithDependencies(fileName: string): Uint8Array[] | undefined;
  /** The file defining a symbol (leading dot optional) with its dependencies. */
  fileContainingSymbol(symbol: string): Uint8Array[] | undefined;
  /** The file declaring extension `number` of `extendee` with its dependencies. */
  fileContainingExtension(extendee: string, number: number): Uint8Array[] | undefined;
  /** Extension numbers declared for a message type; undefined when the type is unknown. */
  extensionNumbersOf(messageType: string): number[] | undefined;
}

/** Builds the pool from a serialized FileDescriptorSet and extra files. A file name seen twice keeps
 *  its first descriptor; a missing import is an error at start-up, not a broken answer later. */
export function createDescriptorPool(setBytes: Uint8Array, extraFiles: readonly FileDescriptorProto[] = []): DescriptorPool {
  const files = new Map<string, { readonly proto: FileDescriptorProto; readonly bytes: Uint8Array }>();
  for (const proto of [...fromBinary(FileDescriptorSetSchema, setBytes).file, ...extraFiles]) {
    if (!files.has(proto.name)) files.set(proto.name, { proto, bytes: toBinary(FileDescriptorProtoSchema, proto) });
  }
  const symbols = new Map<string, string>();
  const extensions = new Map<string, string>();
  const messageTypes = new Set<string>();
  const extensionNumbers = new Map<string, number[]>();
  const services: string[] = [];
  for (const { proto } of files.values()) {
    for (const dependency of proto.dependency) {
      if (!files.has(dependency)) throw new Error(`reflection: ${proto.name} imports ${dependency}, which is not in the descriptor set`);
    }
    const scope = proto.package === '' ? '' : `${proto.package}.`;
    const add = (name: string) => symbols.set(name, proto.name);
    const addExtensions = (fields: readonly FieldDescriptorProto[], parent: string) => {
      for (const field of fields) {
        add(`${parent}${field.name}`);
        const extendee = field.extendee.replace(/^\./, '');
        extensions.set(`${extendee}#${field.number}`, proto.name);
        extensionNumbers.set(extendee, [...(extensionNumbers.get(extendee) ?? []), field.number]);
      }
    };
    const addMessage = (message: DescriptorProto, parent: string) => {
      const name = `${parent}${message.name}`;
      add(name);
      messageTypes.add(name);
      for (const field of message.field) add(`${name}.${field.name}`);
      for (const oneof of message.oneofDecl) add(`${name}.${oneof.name}`);
      for (const nested of message.nestedType) addMessage(nested, `${name}.`);
      for (const enumType of message.enumType) {
        add(`${name}.${enumType.name}`);
        // Enum values are scoped beside their enum (C++ scoping rules), as protoc resolves them.
        for (const value of enumType.value) add(`${name}.${value.name}`);
      }
      addExtensions(message.extension, `${name}.`);
    };
    for (const message of proto.messageType) addMessage(message, scope);
    for (const enumType of proto.enumType) {
      add(`${scope}${enumType.name}`);
      for (const value of enumType.value) add(`${scope}${value.name}`);
    }
    for (const service of proto.service) {
      const name = `${scope}${service.name}`;
      add(name);
      services.push(name);
      for (const method of service.method) add(`${name}.${method.name}`);
    }
    addExtensions(proto.extension, scope);
  }

  function withDependencies(fileName: string): Uint8Array[] | undefined {
    if (!files.has(fileName)) return undefined;
    const seen = new Set<string>();
    const out: Uint8Array[] = [];
    const visit = (name: string) => {
      const file = files.get(name);
      if (file === undefined || seen.has(name)) return;
      seen.add(name);
      out.push(file.bytes);
      for (const dependency of file.proto.dependency) visit(dependency);
    };
    visit(fileName);
    return out;
  }

  const trim = (name: string) => name.replace(/^\./, '');
  return {
    services: services.sort(),
    fileWithDependencies: withDependencies,
    fileContainingSymbol(symbol) {
      const file = symbols.get(trim(symbol));
      return file === undefined ? undefined : withDependencies(file);
    },
    fileContainingExtension(extendee, number) {
      const file = extensions.get(`${trim(extendee)}#${number}`);
      return file === undefined ? undefined : withDependencies(file);
    },
    extensionNumbersOf(messageType) {
      const name = trim(messageType);
      return messageTypes.has(name) ? [...(extensionNumbers.get(name) ?? [])] : undefined;
    },
  };
}
