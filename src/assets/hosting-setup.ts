/**
 * Builds image hosting from config for the app (DESIGN §11): the store IMAGE_HOSTING names, the
 * upstream image fetcher with its allow-list (plus the embedded simulator's own address), the core's
 * hosting stage, and the retention sweep timer. A random signing key is made when none is configured —
 * said loudly, because its URLs die with the process and replicas cannot verify each other's.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { ImageHostingConfig } from '../config-types.js';
import { createImageHosting, type ImageHosting } from '../service/image-hosting.js';
import type { Logger } from '../telemetry/logger.js';
import { createAssetMetrics } from './asset-metrics.js';
import type { AssetStore } from './asset-store.js';
import { createLocalAssetStore, type LocalAssetStore } from './local-asset-store.js';
import { createUpstreamImageFetcher } from './upstream-image-fetch.js';
import { createUrlSigner } from './url-signing.js';

export interface HostingSetup {
  readonly store: AssetStore;
  /** The core's hosting stage. */
  readonly hosting: ImageHosting;
  /** The local store, for the REST asset route; undefined for S3. */
  readonly local: LocalAssetStore | undefined;
  /** Tells the local store where the REST server listens (used unless PUBLIC_BASE_URL is set). */
  setBoundHttpAddress(host: string, port: number): void;
  /** Sweeps now and then periodically. */
  startSweeps(): void;
  close(): Promise<void>;
}

export interface HostingSetupOptions {
  readonly logger: Logger;
  /** The embedded simulator's base URL: its host is allowed as an image source. */
  readonly simulatorUrl?: string;
}

/** Builds hosting, or undefined when IMAGE_HOSTING=off. */
export async function createHostingSetup(config: ImageHostingConfig, options: HostingSetupOptions): Promise<HostingSetup | undefined> {
  const { store: storeConfig } = config;
  if (storeConfig.kind === 'off') return undefined;
  const { logger } = options;
  const metrics = createAssetMetrics();
  let boundBaseUrl = 'http://127.0.0.1';
  let local: LocalAssetStore | undefined;
  let store: AssetStore;
  if (storeConfig.kind === 'local') {
    let key = storeConfig.signingKey;
    if (key === undefined) {
      key = randomBytes(32);
      logger.warn(
        'IMAGE_SIGNING_KEY is not set: image URLs are signed with a random key and stop working when this process exits; replicas need one shared IMAGE_SIGNING_KEY',
      );
    }
    const publicBaseUrl = storeConfig.publicBaseUrl;
    local = await createLocalAssetStore({
      dataDir: resolve(storeConfig.dataDir),
      signer: createUrlSigner(key),
      publicBaseUrl: () => publicBaseUrl ?? boundBaseUrl,
      retentionMs: config.retentionMs,
      diskCapBytes: storeConfig.diskCapBytes,
      metrics,
    });
    store = local;
    logger.info({ dataDir: resolve(storeConfig.dataDir), storedBytes: local.totalBytes, publicBaseUrl }, 'image hosting: local directory');
  } else {
    // Loaded only when used: the AWS SDK is large, and local or no hosting should not pay for it at boot.
    const { createS3AssetStore } = await import('./s3-asset-store.js');
    store = createS3AssetStore({ config: storeConfig, retentionMs: config.retentionMs });
    logger.info({ bucket: storeConfig.bucket, prefix: storeConfig.prefix, endpoint: storeConfig.endpoint }, 'image hosting: S3');
  }

  const simulatorHost = options.simulatorUrl === undefined ? [] : [new URL(options.simulatorUrl).host.toLowerCase()];
  const fetcher = createUpstreamImageFetcher({ ...config.fetch, allowedHosts: [...config.fetch.allowedHosts, ...simulatorHost] });
  const hosting = createImageHosting({
    store,
    fetcher,
    retentionMs: config.retentionMs,
    storeInline: config.storeInline,
    maxBytes: config.fetch.maxBytes,
    metrics,
    logger,
  });

  let timer: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  const sweep = () =>
    store.sweep().then(
      (removed) => removed > 0 && logger.info({ removed, store: store.kind }, 'image hosting: swept expired images'),
      (error: unknown) => logger.warn({ err: error, store: store.kind }, 'image hosting: sweep failed'),
    );
  return {
    store,
    hosting,
    local,
    setBoundHttpAddress(host, port) {
      // A wildcard address is not somewhere to send callers; loopback is, on this machine at least.
      const name = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      boundBaseUrl = `http://${name}:${port}`;
    },
    startSweeps() {
      if (timer !== undefined) return;
      void sweep();
      // A tenth of the retention, at most hourly: files outlive it by at most that much.
      timer = setInterval(() => void sweep(), Math.min(config.retentionMs / 10, 3600_000));
      timer.unref();
    },
    close() {
      clearInterval(timer);
      closing ??= (async () => {
        await fetcher.close();
        await store.close();
      })();
      return closing;
    },
  };
}
