/**
 * The floor's image hosting, on when the floor runs with `IMAGE_HOSTING=local` (the shipped gateway's
 * hosting environment): each image URL the upstream answers is downloaded over a keep-alive undici pool,
 * hashed (SHA-256), written to a temporary file and renamed into `<DATA_DIR>/images` under its hash,
 * and the caller gets a signed URL of the floor's own. That is the wire and disk work hosting cannot do
 * without — a second upstream request, one pass over the bytes, a write and an atomic rename — with none
 * of the gateway's logic (no allow-list, size cap, timeout, eviction index, metrics or failure fallback),
 * so the shipped gateway's CPU can be compared with what its work costs at the least.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Agent, request } from 'undici';

export interface FloorImageHost {
  /** Our own URL of the image at `url`, once it is stored. */
  host(url: string): Promise<string>;
  close(): Promise<void>;
}

export function createFloorImageHost(dataDir: string, signingKey: string, publicBase: () => string): FloorImageHost {
  const images = join(dataDir, 'images');
  const tmp = join(dataDir, 'tmp');
  mkdirSync(images, { recursive: true });
  mkdirSync(tmp, { recursive: true });
  const agent = new Agent({ connections: 128 });
  return {
    async host(url) {
      const answer = await request(url, { method: 'GET', dispatcher: agent });
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        chunks.push(chunk);
      }
      if (answer.statusCode !== 200) throw new Error(`image download answered ${answer.statusCode}`);
      const id = `${hash.digest('hex')}.jpeg`;
      const temporary = join(tmp, randomUUID());
      await writeFile(temporary, chunks);
      await rename(temporary, join(images, id));
      const expires = Math.floor(Date.now() / 1000) + 86_400;
      const sig = createHmac('sha256', signingKey).update(`${id}\n${expires}`).digest('base64url');
      return `${publicBase()}/v1/assets/${id}?expires=${expires}&sig=${sig}`;
    },
    close: () => agent.close(),
  };
}
