/**
 * A strict descriptor pool for tests, as protoc and Python's descriptor pool are strict: every file is
 * built from reflected FileDescriptorProtos only, each import must be present (by file name), and every
 * type a file uses must be defined in that file or in a file it imports (directly, or publicly through
 * one). protobufjs tolerates all of these; a reflection server that merges files, drops imports or
 * puts a type in the wrong file fails here.
 */
import { create, createFileRegistry, type FileRegistry } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, type DescriptorProto, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';

/** Builds the registry of `root` and its imports from `files`; throws naming the first problem. */
export function strictRegistry(files: ReadonlyMap<string, FileDescriptorProto>, root: string): FileRegistry {
  // Imports before importers, each import looked up by its exact file name.
  const ordered: FileDescriptorProto[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, importer: string) => {
    if (visiting.has(name)) return;
    visiting.add(name);
    const file = files.get(name);
    if (file === undefined) throw new Error(`${name}, imported by ${importer}, was not reflected`);
    for (const dependency of file.dependency) visit(dependency, name);
    ordered.push(file);
  };
  visit(root, 'the request');
  // bufbuild resolves each type against the files added before it, so an import cycle or a type from a
  // file added later fails here too.
  const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: ordered }));
  for (const file of ordered) {
    const visible = visibleFiles(files, file);
    for (const typeName of referencedTypes(file)) {
      const name = typeName.replace(/^\./, '');
      const definedIn = (registry.getMessage(name) ?? registry.getEnum(name))?.file.proto.name;
      if (definedIn === undefined) throw new Error(`${file.name} uses ${name}, which no reflected file defines`);
      if (!visible.has(definedIn)) throw new Error(`${file.name} uses ${name}, defined in ${definedIn}, which ${file.name} does not import`);
    }
  }
  return registry;
}

/** The file itself, its direct imports, and files re-exported by `import public` along the way. */
function visibleFiles(files: ReadonlyMap<string, FileDescriptorProto>, file: FileDescriptorProto): Set<string> {
  const visible = new Set([file.name]);
  const addPublic = (dep: FileDescriptorProto | undefined) => {
    for (const index of dep?.publicDependency ?? []) {
      const name = dep?.dependency[index];
      if (name !== undefined && !visible.has(name)) {
        visible.add(name);
        addPublic(files.get(name));
      }
    }
  };
  for (const dependency of file.dependency) {
    visible.add(dependency);
    addPublic(files.get(dependency));
  }
  return visible;
}

function referencedTypes(file: FileDescriptorProto): string[] {
  const out: string[] = [];
  const fromMessage = (message: DescriptorProto) => {
    for (const field of message.field) if (field.typeName !== '') out.push(field.typeName);
    for (const nested of message.nestedType) fromMessage(nested);
  };
  for (const message of file.messageType) fromMessage(message);
  for (const service of file.service) for (const method of service.method) out.push(method.inputType, method.outputType);
  return out;
}
