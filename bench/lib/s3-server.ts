/**
 * A real S3 API server on loopback for tests and the hosting bench: `s3rver` (pure JavaScript, no install scripts) on a free
 * port with its own temporary directory, and a bucket created through the AWS SDK like an operator
 * would. `env` is what a gateway needs to use it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';

export interface TestS3Server {
  readonly endpoint: string;
  readonly bucket: string;
  /** Gateway configuration for IMAGE_HOSTING=s3 against this server. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** s3rver's built-in credentials (it accepts only these). */
const ACCESS_KEY = 'S3RVER';

export async function startS3Server(bucket = 'seedream-test'): Promise<TestS3Server> {
  const directory = mkdtempSync(join(tmpdir(), 'seedream-s3-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: ACCESS_KEY } });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return {
    endpoint,
    bucket,
    env: {
      IMAGE_HOSTING: 's3',
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_BUCKET: bucket,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: ACCESS_KEY,
      S3_SECRET_ACCESS_KEY: ACCESS_KEY,
    },
    async close() {
      // Kept-alive client connections would hold close() open: cut them.
      server.httpServer.closeAllConnections();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
