/**
 * The `model` oneof as clients that never read our code spell it: proto-loader with `keepCase: false`
 * (the default) turns `seedream_5_0_lite` into `seedream_5_0Lite`, proto JSON into `seedream50Lite`.
 * The right spelling works; a wrong guess is dropped by the decoder, and the INVALID_ARGUMENT then
 * lists every accepted spelling, so the caller can fix it from the message alone.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcApp, type TestGrpcApp } from '../helpers/grpc-app.js';

type Callback<T> = (error: grpc.ServiceError | null, value: T) => void;
type LoaderClient = grpc.Client & { GenerateImages(request: object, callback: Callback<{ model: string }>): void };

let gw: TestGrpcApp;
let client: LoaderClient;

beforeAll(async () => {
  gw = await startGrpcApp();
  const root = fileURLToPath(new URL('../../proto', import.meta.url));
  const definition = loadSync('seedream/v1/image_service.proto', { includeDirs: [root], keepCase: false, oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    seedream: { v1: { ImageService: new (address: string, credentials: grpc.ChannelCredentials) => LoaderClient } };
  };
  client = new loaded.seedream.v1.ImageService(gw.address, grpc.credentials.createInsecure());
});
afterAll(async () => {
  client.close();
  await gw.close();
});

const generate = (spec: object) =>
  new Promise<{ model: string } | grpc.ServiceError>((resolve) => client.GenerateImages({ spec }, (error, value) => resolve(error ?? value)));

describe('oneof member spellings (proto-loader, keepCase: false)', () => {
  it.each([
    ['seedream_5_0Lite', 'doubao-seedream-5-0-260128'],
    ['seedream_5_0Pro', 'doubao-seedream-5-0-pro-260628'],
    ['seedream_5_5', 'doubao-seedream-5-5-261028'],
  ])('%s selects its model', async (member, model) => {
    expect(await generate({ prompt: 'a fox', [member]: {} })).toMatchObject({ model });
  });

  it.each(['seedream50Lite', 'seedream_5_0_lite'])('a wrong guess (%s) is answered with every accepted spelling', async (member) => {
    const error = (await generate({ prompt: 'a fox', [member]: {} })) as grpc.ServiceError;
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    for (const spelling of ['seedream_5_0_lite', 'seedream50Lite', 'seedream_5_0Lite', 'seedream_5_5', 'seedream55']) expect(error.details).toContain(spelling);
  });
});
