/**
 * Server-Sent Events on a raw Node response (reference §3.1): `event: <name>\ndata: <json>\n\n` frames,
 * comment lines for heartbeats, `data: [DONE]` at the end. The stream opens with its first frame in
 * hand, so the headers leave in the same socket write as that frame (a separate header flush cost one
 * more loopback syscall per call, ~50 µs of CPU: bench/README.md), and every write respects back-pressure: when the socket buffer is full the writer waits for
 * `drain` (or the client leaving), so a slow reader never makes the gateway buffer a whole stream.
 */
import type { ServerResponse } from 'node:http';
import { concatParts, hasBase64, type JsonPart } from './json-parts.js';

/** The terminator OpenAI SDKs and Ark clients stop at (reference §3.1, §3.4). */
export const SSE_DONE = 'data: [DONE]\n\n';

/**
 * One event frame. `json` is single-line (JSON.stringify escapes newlines, base64 has none), so one
 * `data:` line suffices. A frame with base64 among its parts (an image) becomes one buffer — one write,
 * so one HTTP chunk per frame as before — with the image copied once; any other frame stays a string.
 */
export function sseEvent(name: string, json: string | readonly JsonPart[]): string | Buffer {
  if (typeof json === 'string') return `event: ${name}\ndata: ${json}\n\n`;
  if (hasBase64(json)) return concatParts([`event: ${name}\ndata: `, ...json, '\n\n']);
  return `event: ${name}\ndata: ${json.join('')}\n\n`;
}

/** A comment frame: ignored by SSE parsers (the OpenAI SDK included), but it keeps proxies from timing
 *  out an idle stream during long renders (conventions C.6). */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}

export interface SseWriter {
  /** Writes a frame; resolves true once the socket can take more, false when the client has gone. */
  write(frame: string | Uint8Array): Promise<boolean>;
  /** Ends the response (no-op when the client has gone). */
  end(): void;
  /** Whether the client is still connected. */
  readonly open: boolean;
}

/** Sets `200 text/event-stream` with `headers`; they are sent with the first frame written, which the
 *  caller writes at once. */
export function openSse(raw: ServerResponse, headers: Readonly<Record<string, string>>): SseWriter {
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    // nginx and similar proxies buffer responses unless told not to.
    'x-accel-buffering': 'no',
    ...headers,
  });
  const isOpen = () => !raw.destroyed && !raw.writableEnded;
  return {
    get open() {
      return isOpen();
    },
    async write(frame) {
      if (!isOpen()) return false;
      if (raw.write(frame)) return true;
      await new Promise<void>((resolve) => {
        const done = () => {
          raw.off('drain', done);
          raw.off('close', done);
          resolve();
        };
        raw.on('drain', done);
        raw.on('close', done);
      });
      return isOpen();
    },
    end() {
      if (isOpen()) raw.end();
    },
  };
}
