/**
 * The hosting stage alone, in process (DESIGN §11, issue 15): `host()` of URL images downloaded from a
 * loopback image server in a child process into a fresh local store, with a **distinct image per call**
 * (the url scenario's fixed-seed simulator returns the same image every time; this does not). Prints
 * the process's CPU per hosted image (main thread and libuv's pool: user + system), latency and rate.
 *
 *   node dist/bench/hosting-stage.js [calls=1000] [concurrency=8] [bytes=300000] [gateway dist root]
 *
 * The last argument measures another build (e.g. main's, built into a scratch copy). Use a tmpfs
 * TMPDIR (`TMPDIR=/dev/shm`) to keep disk writeback out of the figure. `HOSTING_STAGE_IMAGES=4` makes
 * each call a set of 4 images arriving together through `hostImages` (latency is then to the last
 * image of the call; `HOSTING_STAGE_PER_CALL` caps the images hosted at once, where the build has the
 * knob), and `HOSTING_STAGE_DELAY_MS` delays every image's answer like a distant CDN would.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as LocalStoreModule from '../src/assets/local-asset-store.js';
import type * as FetchModule from '../src/assets/upstream-image-fetch.js';
import type * as HostImagesModule from '../src/service/host-images.js';
import type * as HostingModule from '../src/service/image-hosting.js';
import type * as SigningModule from '../src/assets/url-signing.js';
import type * as MetricsModule from '../src/assets/asset-metrics.js';
import type { DeliveredImage, GenerationEvent } from '../src/service/types.js';

const [callsArg = '1000', concurrencyArg = '8', bytesArg = '300000', rootArg] = process.argv.slice(2);

if (process.env.HOSTING_STAGE_SERVE === '1') {
  // The child: a distinct body per request (its first 8 bytes count the requests).
  const base = randomBytes(Number(bytesArg));
  const delayMs = Number(process.env.HOSTING_STAGE_DELAY_MS ?? 0);
  let served = 0;
  const server = createServer((_request, response) => {
    const body = Buffer.from(base);
    served += 1;
    body.writeBigUInt64BE(BigInt(served), 0);
    const answer = () => response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
} else {
  await main();
}

async function main(): Promise<void> {
  const calls = Number(callsArg);
  const concurrency = Number(concurrencyArg);
  const root = resolve(rootArg ?? join(fileURLToPath(import.meta.url), '../..'));
  const load = <T>(path: string) => import(join(root, path)) as Promise<T>;
  const { createLocalAssetStore } = await load<typeof LocalStoreModule>('src/assets/local-asset-store.js');
  const { createUpstreamImageFetcher } = await load<typeof FetchModule>('src/assets/upstream-image-fetch.js');
  const { createImageHosting } = await load<typeof HostingModule>('src/service/image-hosting.js');
  const { createUrlSigner } = await load<typeof SigningModule>('src/assets/url-signing.js');
  // hostImages moved to its own module with the per-call concurrency; older builds have it here.
  const { hostImages } = await load<typeof HostImagesModule>('src/service/host-images.js').catch(() => load<typeof HostImagesModule>('src/service/image-hosting.js'));
  const imagesPerCall = Number(process.env.HOSTING_STAGE_IMAGES ?? 1);
  const perCall = process.env.HOSTING_STAGE_PER_CALL === undefined ? undefined : Number(process.env.HOSTING_STAGE_PER_CALL);
  const { createAssetMetrics } = await load<typeof MetricsModule>('src/assets/asset-metrics.js');

  const child = fork(fileURLToPath(import.meta.url), process.argv.slice(2), { env: { ...process.env, HOSTING_STAGE_SERVE: '1' } });
  const port = await new Promise<number>((done) => child.once('message', (message) => done(Number(message))));
  const dataDir = mkdtempSync(join(tmpdir(), 'hosting-stage-'));
  const metrics = createAssetMetrics();
  const day = 24 * 3600_000;
  const store = await createLocalAssetStore({
    dataDir,
    signer: createUrlSigner(Buffer.alloc(32, 1)),
    publicBaseUrl: () => 'http://127.0.0.1:1',
    retentionMs: day,
    diskCapBytes: 2 ** 50,
    metrics,
  });
  const fetcher = createUpstreamImageFetcher({ allowedHosts: [`127.0.0.1:${port}`], maxBytes: 64 * 1024 * 1024, timeoutMs: 60_000 });
  const hosting = createImageHosting({ store, fetcher, retentionMs: day, storeInline: false, maxBytes: 64 * 1024 * 1024, metrics });
  const image = (i: number): DeliveredImage =>
    ({
      index: 0,
      mimeType: 'image/jpeg',
      width: 4096,
      height: 4096,
      content: { kind: 'url', url: `http://127.0.0.1:${port}/image-${i}.jpeg`, expiresAt: new Date(Date.now() + day) },
    }) as DeliveredImage;

  const run = async (count: number): Promise<number[]> => {
    let next = 0;
    const latencies: number[] = [];
    const worker = async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        // One signal per call, as the edges give.
        const signal = new AbortController().signal;
        if (imagesPerCall === 1) {
          const hosted = await hosting.host(image(i), signal);
          if (hosted.warning !== undefined) throw new Error(hosted.warning);
        } else {
          const set = (async function* (): AsyncGenerator<GenerationEvent> {
            for (let k = 0; k < imagesPerCall; k++) yield { type: 'image', image: { ...image(i), index: k } };
          })();
          for await (const event of hostImages(set, hosting, signal, perCall)) {
            if (event.type === 'image' && event.image.warning !== undefined) throw new Error(event.image.warning);
          }
        }
        latencies.push(performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return latencies.sort((a, b) => a - b);
  };

  await run(Math.min(200, calls)); // warm-up: JIT, the connection pool
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const latencies = await run(calls);
  const cpu = process.cpuUsage(cpuBefore);
  const wall = performance.now() - started;
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!.toFixed(2);
  console.log(
    `${root} · ${calls} calls of ${imagesPerCall} distinct ${bytesArg}-byte images, ${concurrency} calls at a time: ` +
      `${((cpu.user + cpu.system) / calls / imagesPerCall).toFixed(0)} µs CPU per image (user ${(cpu.user / calls / imagesPerCall).toFixed(0)}, system ${(cpu.system / calls / imagesPerCall).toFixed(0)}), ` +
      `call p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ${((calls * imagesPerCall / wall) * 1000).toFixed(0)} images/s`,
  );
  await fetcher.close();
  await store.close();
  child.kill();
  rmSync(dataDir, { recursive: true, force: true });
}
