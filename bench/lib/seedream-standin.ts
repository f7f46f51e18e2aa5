/**
 * A Seedream-shaped stand-in upstream for the image-path scenario: a node:http server on loopback that
 * answers POST /api/v3/images/generations the way Ark does (reference §2, §3; the simulator's
 * respond-sse.ts / respond-json.ts) but with what the simulator cannot make: incompressible 3–6 MB base64
 * images after a render of seconds. Real renders take 20–90 s; `renderScale` divides them so the scenario
 * fits in a bench run. The render time and the image of a call follow from its prompt (renderMsOf,
 * imageOf), so a direct call and a gateway call with the same prompt get the same work, and the harness
 * knows how much of a call's time was render.
 *
 * The images are random bytes between a JPEG SOI and EOI marker: not decodable, which does not matter
 * because the gateway never decodes or sniffs answer images (src/image-header.ts reads reference images
 * only; answers are checked to be base64, response-schema.ts). Random bytes defeat any compression.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Base64 sizes of the images the stand-in hands out, MB (3–6 MB, as 2K Seedream JPEGs measure). */
const IMAGE_SIZES_MB = [3.0, 3.6, 4.2, 4.8, 5.4, 6.0];
/** Real Seedream render times, ms (issue 15: 20–90 s). */
export const REAL_RENDER_MS = { min: 20_000, max: 90_000 } as const;
const SIZE = '2048x2048';

export interface StandIn {
  /** `http://127.0.0.1:<port>` (the gateway's ARK_BASE_URL is this + `/api/v3`). */
  readonly origin: string;
  /** Render time of a call with `prompt`, ms. */
  renderMsOf(prompt: string): number;
  /** Base64 length of the image a call with `prompt` gets. */
  imageLengthOf(prompt: string): number;
  close(): Promise<void>;
}

export async function startStandIn(renderScale: number): Promise<StandIn> {
  const images = IMAGE_SIZES_MB.map((mb) => {
    const bytes = randomBytes(Math.floor((mb * 1024 * 1024 * 3) / 4));
    bytes.set([0xff, 0xd8, 0xff], 0);
    bytes.set([0xff, 0xd9], bytes.length - 2);
    return bytes.toString('base64');
  });
  const imageOf = (prompt: string) => images[hash(prompt) % images.length] ?? '';
  const renderMsOf = (prompt: string) => {
    const span = REAL_RENDER_MS.max - REAL_RENDER_MS.min;
    return (REAL_RENDER_MS.min + ((hash(`render ${prompt}`) % 1000) / 999) * span) / renderScale;
  };
  const server: Server = createServer((req, res) => {
    void answer(req, res, renderMsOf, imageOf).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    renderMsOf,
    imageLengthOf: (prompt) => imageOf(prompt).length,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, renderMsOf: (p: string) => number, imageOf: (p: string) => string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  if (req.method !== 'POST' || req.url !== '/api/v3/images/generations') {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'NotFound', message: `${req.method} ${req.url}` } }));
    return;
  }
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string; prompt?: string; stream?: boolean };
  const prompt = body.prompt ?? '';
  const model = body.model ?? 'doubao-seedream-4-5-251128';
  // The render: nothing is sent until the image is ready (as Ark: headers leave with the first event).
  const rendered = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), renderMsOf(prompt));
    res.once('close', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!rendered) return;
  const created = Math.floor(Date.now() / 1000);
  const usage = { generated_images: 1, output_tokens: 16384, total_tokens: 16384 };
  const b64 = imageOf(prompt);
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ model, created, data: [{ b64_json: b64, size: SIZE }], usage }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.write(event('image_generation.partial_succeeded', { model, created, image_index: 0, b64_json: b64, size: SIZE }));
  res.write(event('image_generation.completed', { model, created, usage }));
  res.end('data: [DONE]\n\n');
}

function event(type: string, payload: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...payload })}\n\n`;
}

/** FNV-1a, 32 bit: a stable spread of prompts over render times and images. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
