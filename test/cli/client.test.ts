import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runClient, type ClientIo } from '../../src/cli/run-client.js';
import { decodeImage } from '../helpers/image-decoders.js';
import { spawnEntry } from '../helpers/built-entry.js';
import { startGrpcApp, TEST_KEY, type TestGrpcApp } from '../helpers/grpc-app.js';
import { base64Of, completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function run(argv: string[], env: { apiKey?: string; address?: string } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: ClientIo = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    fetch,
    readFile: async (path) => readFileSync(path, 'utf8'),
    now: Date.now,
  };
  const code = await runClient(argv, { apiKey: env.apiKey, address: env.address }, io);
  return { code, out, err };
}

/** Every saved image decodes, with the size the client reported for it. */
function expectSavedImages(out: string[], count: number): void {
  const saved = out.flatMap((line) => {
    const match = /image \d+: (\d+)×(\d+) image\/(?:jpeg|png) → (.+) \(/.exec(line);
    return match === null ? [] : [{ width: Number(match[1]), height: Number(match[2]), path: match[3] ?? '' }];
  });
  expect(saved).toHaveLength(count);
  for (const image of saved) {
    expect(decodeImage(readFileSync(image.path))).toMatchObject({ width: image.width, height: image.height });
  }
}

describe('the command-line client', () => {
  let gw: TestGrpcApp;
  let dir: string;
  beforeAll(async () => {
    gw = await startGrpcApp({ withKey: true });
    dir = mkdtempSync(join(tmpdir(), 'seedream-cli-'));
  });
  afterAll(async () => {
    await gw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('streams URL images, downloads and saves each one, and exits 0', async () => {
    const out = join(dir, 'urls');
    const result = await run(['a red fox in snow', '--model', 'doubao-seedream-4-5', '--set', '2', '--out', out], { apiKey: TEST_KEY, address: gw.address });
    expect(result.err).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.out.at(-1)).toMatch(/^done: \d image\(s\), 0 failed, model doubao-seedream-4-5-251128, estimated 0\.\d+ USD/);
    expectSavedImages(result.out, readdirSync(out).length);
    expect(readdirSync(out).length).toBeGreaterThanOrEqual(1);
  });

  it('saves inline bytes as they are, with n independent images and an exact size', async () => {
    const out = join(dir, 'bytes');
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `${TEST_KEY}\n`);
    const result = await run(
      ['a small boat', '--model', 'seedream-4-0-250828', '--n', '2', '--size', '1280x720', '--format', 'bytes', '--out', out, '--address', gw.address, '--key-file', keyFile],
    );
    expect(result.code).toBe(0);
    expectSavedImages(result.out, 2);
    expect(result.out.some((l) => l.includes('1280×720'))).toBe(true);
    expect(readdirSync(out).every((name) => name.endsWith('.jpg'))).toBe(true);
  });

  it('receives an image larger than gRPC\'s default 4 MiB message limit as bytes', async () => {
    // A 4K PNG can be tens of MB; stock clients refuse messages over 4 MiB unless told otherwise.
    const bytes = Buffer.alloc(6 * 1024 * 1024, 7);
    const upstream = scriptedUpstream(async function* () {
      yield image(0, { b64: base64Of(bytes.toString('base64')), url: undefined, outputFormat: 'png' });
      yield completed(1);
    });
    const big = await startGrpcApp({ withKey: true, upstream });
    try {
      const out = join(dir, 'large');
      const result = await run(['a large poster', '--model', 'doubao-seedream-4-5', '--format', 'bytes', '--out', out], { apiKey: TEST_KEY, address: big.address });
      expect(result.err).toEqual([]);
      expect(result.code).toBe(0);
      const saved = readdirSync(out);
      expect(saved).toHaveLength(1);
      expect(readFileSync(join(out, saved[0] ?? '')).equals(bytes)).toBe(true);
    } finally {
      await big.close();
    }
  });

  it('prints a failed call readably, with field violations by proto path, and exits 1', async () => {
    const result = await run(['x', '--model', 'doubao-seedream-4-5', '--size', '1K', '--out', join(dir, 'none')], { apiKey: TEST_KEY, address: gw.address });
    expect(result.code).toBe(1);
    const text = result.err.join('\n');
    expect(text).toMatch(/^error: INVALID_ARGUMENT: spec\.seedream_4_5\.size/);
    expect(text).toContain('reason: INVALID_ARGUMENT');
    expect(text).toMatch(/ {2}spec\.seedream_4_5\.size: /);
  });

  it('reports UNAUTHENTICATED without a key', async () => {
    const result = await run(['x', '--model', 'doubao-seedream-4-5'], { address: gw.address });
    expect(result.code).toBe(1);
    expect(result.err.join('\n')).toContain('error: UNAUTHENTICATED: missing or invalid API key');
  });

  it.each([
    [[]],
    [['a prompt']],
    [['a prompt', '--model', 'no-such-model']],
    [['a prompt', '--model', 'doubao-seedream-5-0-pro', '--set', '3']],
    [['a prompt', '--model', 'doubao-seedream-3-0-t2i', '--size', '2K']],
    [['a prompt', '--model', 'doubao-seedream-4-5', '--n', 'two']],
    [['a prompt', '--model', 'doubao-seedream-4-5', '--format', 'gif']],
    [['a prompt', '--model', 'doubao-seedream-4-5', '--key-file', '/no/such/file']],
    [['a prompt', '--model', 'doubao-seedream-4-5', '--bogus']],
  ])('exits 2 with the usage text for %j', async (argv) => {
    const result = await run(argv, { address: gw.address });
    expect(result.code).toBe(2);
    expect(result.err.join('\n')).toContain('usage: npm run client');
  });

  it('runs as the built program and saves the images', async () => {
    const out = join(dir, 'built');
    const child = spawnEntry('dist/src/cli/client.js', { SEEDREAM_API_KEY: TEST_KEY, SEEDREAM_GATEWAY_ADDRESS: gw.address }, [
      'a lighthouse',
      '--model',
      'doubao-seedream-4-5',
      '--out',
      out,
    ]);
    const { code } = await child.exited;
    expect(child.stderr()).toBe('');
    expect(code).toBe(0);
    expectSavedImages(child.stdout().split('\n'), 1);
  });
});
