/**
 * JSON text built from parts: strings written by JSON.stringify, and an image's base64 text, which is
 * valid JSON string content as it is and placed between quotes unchanged, never scanned (DESIGN §8).
 * `JSON.stringify` of the same object scans the base64 for characters to escape and copies it into a
 * string of the whole body, which the socket write scans and copies again to encode UTF-8 (the
 * benchmark's profile put JSON.stringify alone at a fifth of the REST relay's CPU).
 *
 * A JSON body that carries images goes to the socket as its parts (`writeParts`), not as one buffer:
 * node's writev copies the corked strings into its own storage, which V8 does not count as ArrayBuffer
 * memory, and V8 forces a scavenge for every ~32 MiB of young ArrayBuffers whatever the heap holds. The
 * body buffer was a third of what the base64 relay allocated per call: without it, ~45 % fewer
 * scavenges and −9 % gateway CPU per MB, req/s unchanged (interleaved, issue 15). An SSE frame stays
 * one buffer (`concatParts`): in chunked encoding node 20 makes every write its own chunk, and the
 * extra chunks cost the client more than the buffer saved (REST SSE −2 % CPU, −5 % req/s).
 */
import type { ServerResponse } from 'node:http';
import { Base64Text, base64TextLength } from '../base64.js';

/** A piece of JSON text: a string, or base64 text, JSON-safe as it is. */
export type JsonPart = string | Base64Text;

/**
 * The JSON of `{ ...leading, [key]: text, ...trailing }`, byte for byte what JSON.stringify writes,
 * where `text` needs no escaping (base64: letters, digits, `+`, `/`, `=`). No key may look like an
 * array index (JSON.stringify would move it to the front).
 */
export function jsonObjectWithBase64(leading: object, key: string, text: Base64Text, trailing: object): JsonPart[] {
  const head = JSON.stringify(leading); // `{…}`, members without the closing brace below
  const tail = JSON.stringify(trailing);
  return [
    `${head === '{}' ? '{' : `${head.slice(0, -1)},`}${JSON.stringify(key)}:"`,
    text,
    tail === '{}' ? '"}' : `",${tail.slice(1)}`,
  ];
}

/** Whether some part is base64 text (and the parts are better written as they are). */
export function hasBase64(parts: readonly JsonPart[]): boolean {
  return parts.some((part) => part instanceof Base64Text);
}

/** The parts' length in bytes (strings as UTF-8, base64 text — ASCII — one byte a character). */
export function partsByteLength(parts: readonly JsonPart[]): number {
  let length = 0;
  for (const part of parts) length += typeof part === 'string' ? Buffer.byteLength(part) : base64TextLength(part);
  return length;
}

/** Writes the parts to `raw` in one corked batch (one socket write). */
export function writeParts(raw: ServerResponse, parts: readonly JsonPart[]): void {
  raw.cork();
  for (const part of parts) {
    if (typeof part === 'string') raw.write(part);
    else for (const segment of part.segments) raw.write(segment, 'latin1');
  }
  raw.uncork();
}

/** The parts as one buffer: one allocation, each part copied once (strings encoded as UTF-8, base64
 *  text as latin1, a plain copy). */
export function concatParts(parts: readonly JsonPart[]): Buffer {
  const out = Buffer.allocUnsafe(partsByteLength(parts));
  let at = 0;
  for (const part of parts) {
    if (typeof part === 'string') at += out.write(part, at);
    else for (const segment of part.segments) at += out.write(segment, at, 'latin1');
  }
  return out;
}
