/**
 * The hosted-images part of the Config (DESIGN §11): which AssetStore (IMAGE_HOSTING), its retention,
 * and the rules for downloading upstream images — only from the hosts the configured channels serve
 * their image URLs from, unless IMAGE_FETCH_ALLOWED_HOSTS says otherwise. Problems are added to the
 * list loadConfig reports, naming the variable.
 */
import type { ChannelConfig } from './channels/types.js';
import type { EnvKeys } from './config-keys.js';
import type { AssetStoreConfig, ImageHostingConfig } from './config-types.js';
import { trimSlash } from './config-upstream.js';

/** Hosted images: the store by IMAGE_HOSTING, plus retention and the download rules (DESIGN §11). */
export function buildHosting(e: EnvKeys, channels: readonly ChannelConfig[] | undefined, problems: string[]): ImageHostingConfig | undefined {
  let store: AssetStoreConfig;
  switch (e.IMAGE_HOSTING) {
    case 'off':
      store = { kind: 'off' };
      break;
    case 'local':
      store = {
        kind: 'local',
        dataDir: e.DATA_DIR,
        signingKey: e.IMAGE_SIGNING_KEY === undefined ? undefined : Buffer.from(e.IMAGE_SIGNING_KEY, 'utf8'),
        diskCapBytes: e.IMAGE_DISK_CAP_BYTES,
        publicBaseUrl: e.PUBLIC_BASE_URL === undefined ? undefined : trimSlash(e.PUBLIC_BASE_URL),
      };
      break;
    case 's3': {
      if (e.S3_BUCKET === undefined) problems.push('S3_BUCKET: required when IMAGE_HOSTING is s3');
      if ((e.S3_ACCESS_KEY_ID === undefined) !== (e.S3_SECRET_ACCESS_KEY === undefined)) {
        problems.push('S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY: set both or neither');
      }
      store = {
        kind: 's3',
        endpoint: e.S3_ENDPOINT,
        region: e.S3_REGION,
        bucket: e.S3_BUCKET ?? '',
        prefix: e.S3_PREFIX,
        forcePathStyle: e.S3_FORCE_PATH_STYLE,
        credentials:
          e.S3_ACCESS_KEY_ID === undefined || e.S3_SECRET_ACCESS_KEY === undefined
            ? undefined
            : { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY },
        publicBaseUrl: e.S3_PUBLIC_BASE_URL === undefined ? undefined : trimSlash(e.S3_PUBLIC_BASE_URL),
      };
      break;
    }
    default: {
      const unreachable: never = e.IMAGE_HOSTING;
      throw new Error(`unknown IMAGE_HOSTING ${String(unreachable)}`);
    }
  }
  if (channels === undefined) return undefined;
  const listed = e.IMAGE_FETCH_ALLOWED_HOSTS?.split(',').map((h) => h.trim().toLowerCase()).filter(Boolean);
  for (const host of listed ?? []) {
    if (!/^(\*\.)?[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/.test(host)) {
      problems.push(`IMAGE_FETCH_ALLOWED_HOSTS: "${host}" is not a host, host:port or *.domain`);
    }
  }
  return {
    store,
    retentionMs: e.IMAGE_RETENTION_MS,
    storeInline: e.IMAGE_HOSTING_STORE_INLINE,
    fetch: { allowedHosts: listed ?? [...new Set(channels.flatMap(defaultImageHosts))], maxBytes: e.IMAGE_FETCH_MAX_BYTES, timeoutMs: e.IMAGE_FETCH_TIMEOUT_MS },
  };
}

/** Where each channel serves its image URLs from: Ark's TOS buckets (reference §2: signed TOS URLs on
 *  *.volces.com, BytePlus on *.bytepluses.com), a relay's or an external simulator's own host; the
 *  embedded simulator's host is added at boot. */
function defaultImageHosts(channel: ChannelConfig): string[] {
  const ownHost = () => (channel.baseUrl !== undefined && URL.canParse(channel.baseUrl) ? [new URL(channel.baseUrl).host.toLowerCase()] : []);
  switch (channel.kind) {
    case 'simulator':
      return ownHost();
    case 'ark':
      return ['*.volces.com', '*.bytepluses.com'];
    case 'openai-compatible':
      // No base URL is already a reported problem; nothing to allow then.
      return ownHost();
    default: {
      const unreachable: never = channel.kind;
      throw new Error(`unknown channel kind ${String(unreachable)}`);
    }
  }
}
