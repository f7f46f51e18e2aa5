/**
 * Saves one generated image: inline bytes are written as they are; a URL is downloaded first (the
 * client may fetch — it is a client; the gateway itself never fetches caller URLs, DESIGN §9).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedImage } from '../../gen/seedream/v1/events.js';

export interface SavedImage {
  readonly path: string;
  readonly bytes: number;
}

export interface SaveOptions {
  readonly dir: string;
  /** Prefix shared by the files of one run, so runs do not overwrite each other. */
  readonly prefix: string;
  readonly fetch: typeof fetch;
  readonly signal?: AbortSignal;
}

/** Writes the image to `<dir>/<prefix>-<index>.<ext>` and returns where, and how big. */
export async function saveImage(image: GeneratedImage, options: SaveOptions): Promise<SavedImage> {
  const content = image.content;
  if (content === undefined) throw new Error(`image ${image.index} has neither url nor data`);
  const data = content.$case === 'data' ? content.value : await download(content.value, options);
  await mkdir(options.dir, { recursive: true });
  const path = join(options.dir, `${options.prefix}-${image.index}.${extensionOf(image.mimeType)}`);
  await writeFile(path, data);
  return { path, bytes: data.length };
}

async function download(url: string, options: SaveOptions): Promise<Buffer> {
  const response = await options.fetch(url, options.signal === undefined ? {} : { signal: options.signal });
  if (!response.ok) throw new Error(`downloading ${url} failed: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

function extensionOf(mimeType: string): string {
  if (mimeType === 'image/png') return 'png';
  if (mimeType === 'image/jpeg') return 'jpg';
  return 'bin';
}

/** A per-run file prefix from the local time, e.g. `seedream-20260115-143005-123`. */
export function runPrefix(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `seedream-${date}-${time}-${String(now.getMilliseconds()).padStart(3, '0')}`;
}
