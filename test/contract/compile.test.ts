import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const imageServiceMethods = ['GenerateImages', 'StreamImages', 'ListModels', 'CreateImageJob', 'GetImageJob', 'WatchImageJob', 'CancelImageJob', 'ListImageJobs'];
const protoFiles = readdirSync(join(root, 'proto/seedream/v1')).map((f) => `seedream/v1/${f}`);
const work = mkdtempSync(join(tmpdir(), 'contract-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const hasProtoc = spawnSync('protoc', ['--version']).status === 0;
// CI installs Debian's protobuf-compiler and sets REQUIRE_PROTOC, so there this test is never skipped.
const requireProtoc = process.env.REQUIRE_PROTOC === '1';

function describeSet(path: string) {
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(path));
  const files = set.file.map((f) => f.name);
  const service = set.file.flatMap((f) => f.service).find((s) => s.name === 'ImageService');
  return { files, methods: service?.method.map((m) => m.name) };
}

describe('the contract compiles with stock tools', () => {
  it.runIf(hasProtoc || requireProtoc)('compiles with stock protoc 3.x (Debian) into a complete descriptor set', () => {
    expect(execFileSync('protoc', ['--version'], { encoding: 'utf8' })).toMatch(/libprotoc 3\.\d+/);
    const out = join(work, 'protoc.binpb');
    execFileSync('protoc', ['-I', 'proto', '--include_imports', `--descriptor_set_out=${out}`, ...protoFiles], { cwd: root });
    const { files, methods } = describeSet(out);
    expect(files).toEqual(expect.arrayContaining([...protoFiles, 'google/protobuf/timestamp.proto']));
    expect(methods).toEqual(imageServiceMethods);
  });

  it('builds with buf into the same files and methods', () => {
    const out = join(work, 'buf.binpb');
    execFileSync(join(root, 'node_modules/.bin/buf'), ['build', '-o', out], { cwd: root });
    const { files, methods } = describeSet(out);
    expect(files).toEqual(expect.arrayContaining(protoFiles));
    expect(methods).toEqual(imageServiceMethods);
  });
});
