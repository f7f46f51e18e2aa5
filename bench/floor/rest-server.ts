/** The floor's REST route: node:http, the JSON body parsed once, one upstream relay, Ark JSON or SSE back. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { UpstreamRelay } from './upstream-relay.js';

export function createFloorRestServer(relay: UpstreamRelay): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void answer(relay, Buffer.concat(chunks).toString('utf8'), response);
    });
  });
}

async function answer(relay: UpstreamRelay, text: string, response: ServerResponse): Promise<void> {
  try {
    const body = JSON.parse(text) as { prompt?: string; stream?: boolean };
    const { model, images } = await relay.generate(body.prompt ?? '');
    const created = Math.floor(Date.now() / 1000);
    if (body.stream !== true) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ created, model, data: images, usage: { generated_images: images.length } }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    images.forEach((image, index) => {
      const event = { type: 'image_generation.partial_succeeded', model, created, image_index: index, ...image };
      response.write(`event: image_generation.partial_succeeded\ndata: ${JSON.stringify(event)}\n\n`);
    });
    const completed = { type: 'image_generation.completed', model, created, usage: { generated_images: images.length } };
    response.end(`event: image_generation.completed\ndata: ${JSON.stringify(completed)}\n\ndata: [DONE]\n\n`);
  } catch (error) {
    response.writeHead(502, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: { message: String(error) } }));
  }
}
