/**
 * Hosted images across processes and restarts (DESIGN §7, §11): the README's curl example against the
 * built gateway; URLs that outlive the simulator's own; a restart with a configured signing key keeping
 * old URLs valid (and one without a key invalidating them); three gateway processes sharing one S3
 * bucket, and three sharing one directory and key, serving each other's URLs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startS3Server } from '../../bench/lib/s3-server.js';
import { sha256Hex } from '../assets/support.js';
import { spawnEntry, type SpawnedEntry } from '../helpers/built-entry.js';
import { startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';

const SIGNING_KEY = 'a-shared-signing-key-for-every-replica-0001';
/** The README's curl example body. */
const README_BODY = { model: 'doubao-seedream-4-5-251128', prompt: 'A lighthouse on a cliff at dusk, 16:9', size: '2K', watermark: false };

const spawned: SpawnedEntry[] = [];
const dirs: string[] = [];
const apps: TestGrpcApp[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const child of spawned.splice(0)) {
    child.kill('SIGKILL');
    await child.exited;
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'seedream-hosted-'));
  dirs.push(dir);
  return dir;
}

/** `npm start` as operators run it (the built entry with the telemetry bootstrap), on free ports. */
async function startBuiltGateway(env: Record<string, string>): Promise<{ httpUrl: string; simulatorUrl: string; child: SpawnedEntry }> {
  const child = spawnEntry('dist/src/main.js', { HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', SIMULATOR_LATENCY_MS: '0', ...env }, [], ['--import', './dist/src/telemetry/register.js']);
  spawned.push(child);
  const simulated = await child.waitForJson((line) => typeof line.simulator === 'string');
  const listening = await child.waitForJson((line) => typeof line.addresses === 'object');
  const http = (listening.addresses as Record<string, string>).http ?? '';
  return { httpUrl: `http://127.0.0.1:${http.split(':').pop()}`, simulatorUrl: simulated.simulator as string, child };
}

/** POSTs the README's example body; returns data[0]. */
async function readmeExample(httpUrl: string): Promise<{ url: string; sha256: string; byte_size: number }> {
  const response = await fetch(`${httpUrl}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer local', 'content-type': 'application/json' },
    body: JSON.stringify(README_BODY),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { url: string; sha256: string; byte_size: number }[] };
  return body.data[0]!;
}

const bytesAt = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());

describe('hosted images across processes', () => {
  it("answers the README's curl example with a URL on the gateway's HTTP port that outlives the simulator's own URL", async () => {
    const { httpUrl, simulatorUrl } = await startBuiltGateway({ DATA_DIR: tempDir(), SIMULATOR_URL_TTL_MS: '1000' });
    const image = await readmeExample(httpUrl);
    expect(image.url.startsWith(`${httpUrl}/v1/assets/`)).toBe(true);
    const first = await bytesAt(image.url);
    expect(sha256Hex(first)).toBe(image.sha256);
    expect(first.length).toBe(image.byte_size);
    // What the simulator itself hands out for the same call dies after SIMULATOR_URL_TTL_MS…
    const direct = await fetch(`${simulatorUrl}/api/v3/images/generations`, {
      method: 'POST',
      headers: { authorization: 'Bearer local', 'content-type': 'application/json' },
      body: JSON.stringify(README_BODY),
    });
    const simulatorImageUrl = ((await direct.json()) as { data: { url: string }[] }).data[0]!.url;
    expect((await fetch(simulatorImageUrl)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await fetch(simulatorImageUrl)).status).toBe(404);
    // …while the gateway's URL still serves the same bytes.
    expect((await bytesAt(image.url)).equals(first)).toBe(true);
  });

  it('builds URLs on PUBLIC_BASE_URL, so another machine can fetch them through it', async () => {
    const app = await startGrpcApp({ env: { PUBLIC_BASE_URL: 'https://images.example.com/gateway/' } });
    apps.push(app);
    const { images } = await app.client.generateImages({ spec: testSpec() });
    const url = images[0]?.content?.$case === 'url' ? images[0].content.value : '';
    expect(url.startsWith('https://images.example.com/gateway/v1/assets/')).toBe(true);
    // The proxy in front forwards the path to the gateway unchanged.
    const proxied = url.replace('https://images.example.com/gateway', app.httpUrl);
    expect(sha256Hex(await bytesAt(proxied))).toBe(images[0]?.sha256);
  });

  it('keeps old URLs valid across a restart with IMAGE_SIGNING_KEY, and not without one', async () => {
    for (const key of [SIGNING_KEY, undefined]) {
      const env = { DATA_DIR: tempDir(), ...(key !== undefined && { IMAGE_SIGNING_KEY: key }) };
      const first = await startGrpcApp({ env });
      const { images } = await first.client.generateImages({ spec: testSpec() });
      const url = images[0]?.content?.$case === 'url' ? images[0].content.value : '';
      const before = await bytesAt(url);
      const port = new URL(url).port;
      await first.close();
      const second = await startGrpcApp({ env: { ...env, HTTP_PORT: port } });
      apps.push(second);
      const after = await fetch(url);
      if (key === undefined) {
        expect(after.status).toBe(403);
        expect(second.logs.some((line) => String(line.msg).startsWith('IMAGE_SIGNING_KEY is not set'))).toBe(true);
      } else {
        expect(after.status).toBe(200);
        expect(Buffer.from(await after.arrayBuffer()).equals(before)).toBe(true);
      }
      await apps.pop()?.close();
    }
  });

  it('three gateway processes sharing one S3 bucket serve each other’s URLs after the producer is gone', async () => {
    const s3 = await startS3Server();
    try {
      const gateways = await Promise.all([1, 2, 3].map(() => startBuiltGateway(s3.env)));
      const images = [];
      for (const gateway of gateways) images.push(await readmeExample(gateway.httpUrl));
      for (const image of images) expect(image.url.startsWith(`${s3.endpoint}/${s3.bucket}/images/`), JSON.stringify(image)).toBe(true);
      // Every producing process stops; the URLs keep working for anyone.
      for (const gateway of gateways) {
        gateway.child.kill('SIGTERM');
        await gateway.child.exited;
      }
      for (const image of images) expect(sha256Hex(await bytesAt(image.url))).toBe(image.sha256);
    } finally {
      await s3.close();
    }
  });

  it('three gateway processes sharing one directory and signing key serve each other’s local URLs', async () => {
    const env = { DATA_DIR: tempDir(), IMAGE_SIGNING_KEY: SIGNING_KEY };
    const gateways = await Promise.all([1, 2, 3].map(() => startBuiltGateway(env)));
    for (const [i, producer] of gateways.entries()) {
      const image = await readmeExample(producer.httpUrl);
      for (const other of gateways.filter((_, j) => j !== i)) {
        const elsewhere = image.url.replace(producer.httpUrl, other.httpUrl);
        expect(sha256Hex(await bytesAt(elsewhere))).toBe(image.sha256);
      }
    }
  });
});
