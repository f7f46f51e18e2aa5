/**
 * The floor's upstream call: one POST of an Ark body with `stream: true` over an undici keep-alive pool
 * (as the gateway does for natively streaming models), the SSE answer read whole and its image events
 * parsed. No validation, retries, deadlines, telemetry or error mapping: only the transport's cost.
 */
import { Pool } from 'undici';
import type { FloorImageHost } from './image-host.js';

export interface RelayedImage {
  readonly url: string;
  readonly size: string;
}

export interface UpstreamRelay {
  generate(prompt: string): Promise<{ model: string; images: RelayedImage[] }>;
  close(): Promise<void>;
}

export function createUpstreamRelay(baseUrl: string, apiKey: string): UpstreamRelay {
  const base = new URL(baseUrl);
  const pool = new Pool(base.origin, { connections: 128, headersTimeout: 0, bodyTimeout: 0 });
  const path = `${base.pathname.replace(/\/+$/, '')}/images/generations`;
  const headers = { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${apiKey}` };
  return {
    async generate(prompt) {
      const body = JSON.stringify({ model: 'doubao-seedream-4-5-251128', prompt, size: '2K', response_format: 'url', stream: true });
      const answer = await pool.request({ method: 'POST', path, headers, body });
      const text = await answer.body.text();
      if (answer.statusCode !== 200) throw new Error(`upstream ${answer.statusCode}: ${text.slice(0, 200)}`);
      const images: RelayedImage[] = [];
      let model = '';
      for (const frame of text.split('\n\n')) {
        const data = frame.slice(frame.indexOf('data: ') + 6);
        if (!frame.includes('partial_succeeded')) continue;
        const event = JSON.parse(data) as { model: string; url: string; size: string };
        model = event.model;
        images.push({ url: event.url, size: event.size });
      }
      return { model, images };
    },
    close: () => pool.close(),
  };
}

/** `relay` with every image hosted by `host` (the images of one answer at once) before it is returned. */
export function hostedRelay(relay: UpstreamRelay, host: FloorImageHost): UpstreamRelay {
  return {
    async generate(prompt) {
      const { model, images } = await relay.generate(prompt);
      const hosted = await Promise.all(images.map(async (image) => ({ ...image, url: await host.host(image.url) })));
      return { model, images: hosted };
    },
    close: async () => {
      await relay.close();
      await host.close();
    },
  };
}
