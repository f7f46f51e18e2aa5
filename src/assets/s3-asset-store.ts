/**
 * The distributed `AssetStore` (DESIGN §7, §11): any S3-compatible store (AWS S3, MinIO, Cloudflare R2,
 * Volcengine TOS) through the AWS SDK. Uploads stream through `@aws-sdk/lib-storage` multipart parts —
 * one part buffered at a time, never the whole image — while the SHA-256 is computed on the way. URLs
 * are presigned GETs (any replica with the same credentials signs the same way, and S3 serves them) or
 * `<public base URL>/<key>` when a CDN or public bucket fronts the store. `sweep` deletes objects under
 * the prefix older than the retention (a bucket lifecycle rule does the same job without the gateway).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AssetStoreConfig } from '../config-types.js';
import { contentTypeOfId, extensionOf, type AssetStore } from './asset-store.js';
import { HashingStream } from './hashing-stream.js';

/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/** Ids are `<uuid>.<ext>`: the hash is known only after the upload, and S3 cannot rename. */
const ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(jpeg|png)$/;

export type S3StoreConfig = Extract<AssetStoreConfig, { kind: 's3' }>;

export interface S3AssetStoreOptions {
  readonly config: S3StoreConfig;
  readonly retentionMs: number;
  readonly now?: () => number;
}

export function createS3AssetStore(options: S3AssetStoreOptions): AssetStore {
  const { config } = options;
  const now = options.now ?? Date.now;
  const clientConfig: S3ClientConfig = {
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint !== undefined && { endpoint: config.endpoint }),
    // A copy: config is frozen, and the SDK marks the credentials object it is given.
    ...(config.credentials !== undefined && { credentials: { ...config.credentials } }),
  };
  const client = new S3Client(clientConfig);
  const keyOf = (id: string) => `${config.prefix}${id}`;

  return {
    kind: 's3',
    async put(source, description, putOptions = {}) {
      const id = `${randomUUID()}.${extensionOf(description.contentType)}`;
      const hasher = new HashingStream(putOptions.maxBytes);
      // pipe() forwards data but not errors: a failing source must fail the upload too.
      source.once('error', (error) => hasher.destroy(error));
      const upload = new Upload({
        client,
        params: {
          Bucket: config.bucket,
          Key: keyOf(id),
          Body: source.pipe(hasher),
          ContentType: description.contentType,
          // Content-addressed ids are impossible here, so objects are immutable by construction.
          CacheControl: 'public, max-age=31536000, immutable',
          Metadata: { width: String(description.width), height: String(description.height) },
        },
        // Abort a half-done multipart upload so no orphaned parts stay billed.
        leavePartsOnError: false,
        // One part (5 MiB, S3's minimum) in memory per upload at a time: memory per re-host stays
        // bounded whatever the image's size (the default of 4 parts in flight would allow 20 MiB).
        queueSize: 1,
      });
      const onAbort = () => void upload.abort();
      putOptions.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        if (putOptions.signal?.aborted === true) throw putOptions.signal.reason;
        await upload.done();
      } catch (error) {
        source.destroy(); // release the upstream download's connection
        throw error;
      } finally {
        putOptions.signal?.removeEventListener('abort', onAbort);
      }
      return { id, sha256: hasher.digest(), byteSize: hasher.byteSize, ...description };
    },
    async url(id, expiresAt) {
      if (config.publicBaseUrl !== undefined) return { url: `${config.publicBaseUrl}/${encodeURI(keyOf(id))}`, expiresAt };
      const seconds = Math.min(MAX_PRESIGN_SECONDS, Math.max(1, Math.floor((expiresAt.getTime() - now()) / 1000)));
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: config.bucket, Key: keyOf(id) }), { expiresIn: seconds });
      return { url, expiresAt: new Date(now() + seconds * 1000) };
    },
    async open(id) {
      const contentType = contentTypeOfId(id);
      if (!ID_PATTERN.test(id) || contentType === undefined) return undefined;
      const head = await client.send(new HeadObjectCommand({ Bucket: config.bucket, Key: keyOf(id) })).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      if (head === undefined) return undefined;
      return {
        contentType,
        byteSize: head.ContentLength ?? 0,
        etag: head.ETag ?? '""',
        async read(range) {
          const answer = await client.send(
            new GetObjectCommand({ Bucket: config.bucket, Key: keyOf(id), ...(range && { Range: `bytes=${range.start}-${range.end}` }) }),
          );
          return answer.Body as Readable;
        },
        release: async () => {},
      };
    },
    async delete(id) {
      if (ID_PATTERN.test(id)) await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: keyOf(id) }));
    },
    async sweep() {
      const cutoff = now() - options.retentionMs;
      let removed = 0;
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: config.bucket, Prefix: config.prefix, ...(token && { ContinuationToken: token }) }));
        for (const object of page.Contents ?? []) {
          if (object.Key === undefined || object.LastModified === undefined || object.LastModified.getTime() > cutoff) continue;
          if (!ID_PATTERN.test(object.Key.slice(config.prefix.length))) continue; // not ours
          await client.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: object.Key }));
          removed += 1;
        }
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return removed;
    },
    async close() {
      client.destroy();
    },
  };
}

function isNotFound(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404;
}
